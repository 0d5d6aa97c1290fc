import { randomInt } from 'node:crypto';
import { type Browser, chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../../fixtures/browser.ts';
import { seededFaker } from '../../fixtures/data/faker.ts';
import { startExternalsServer } from '../../fixtures/externals/externals-server.ts';
import { externalsServerOptions } from '../../fixtures/externals/reach.ts';
import { AdminApi } from '../../fixtures/personas/admin-api.ts';
import { openTenantWorld } from '../../fixtures/personas/open-tenant-world.ts';
import type { Member } from '../../fixtures/personas/persona.ts';
import { type PersonaFixtureName, personas } from '../../fixtures/platform-profile.ts';
import { readSetting } from '../../fixtures/settings.ts';
import { type StackEndpoints, selectedStackMode, startStack } from '../../fixtures/stack/index.ts';
import { newRunToken } from '../../fixtures/stack/run-tenants.ts';
import { inspectWarmStack } from '../../fixtures/stack/warm-stack.ts';

/**
 * A persona signed in to a fresh tenant of the running stack, in a browser a person can see: what
 * recording and picking a locator start from. The tenant, the member and the sign-in are made by
 * the same code the persona fixtures use (fixtures/personas/open-tenant-world.ts), so what is
 * recorded here replays in a journey. The tenant's slug carries a run token, so the next test run's
 * sweep deletes it if this process dies before it can.
 */
export interface PersonaSession {
  member: Member;
  /** The platform's origin, which recorded addresses start with. */
  apiUrl: string;
  /** Where the session came from, for the person starting it. */
  stackDescription: string;
  browser: Browser;
  close(): Promise<void>;
}

export interface PersonaSessionOptions {
  persona: PersonaFixtureName;
  /** Headless: no window (tests on a machine without a display). */
  headless: boolean;
  /** Opens Chromium's DevTools protocol on this port, so a test can act in the browser. */
  debuggingPort?: number;
}

/** The warm stack (`npm run stack:up`) when one runs; otherwise one started for this session. */
async function reachStack(): Promise<{ stack: StackEndpoints; description: string; stop(): Promise<void> }> {
  const warm = await inspectWarmStack();
  if (warm.state === 'live') {
    return {
      stack: warm.stack,
      description: `the warm stack at ${warm.stack.apiUrl}`,
      stop: async () => {},
    };
  }
  const started = await startStack(selectedStackMode());
  return {
    stack: started,
    description: `a ${started.mode} stack started for this session at ${started.apiUrl} (npm run stack:up keeps one warm)`,
    stop: () => started.stop(),
  };
}

export async function openPersonaSession(options: PersonaSessionOptions): Promise<PersonaSession> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
  };
  try {
    const { stack, description, stop } = await reachStack();
    closers.push(stop);
    const externalsServer = await startExternalsServer(
      externalsServerOptions(
        {
          externalsHost: readSetting('E2E_EXTERNALS_HOST'),
          externalsUrl: readSetting('E2E_EXTERNALS_URL'),
        },
        stack.externalsReach,
        0,
      ),
    );
    closers.push(() => externalsServer.close());
    const launch = chromiumLaunchOptions({ headless: options.headless });
    const browser = await chromium.launch({
      ...launch,
      headless: options.headless,
      args: [
        ...(launch.args ?? []),
        ...(options.debuggingPort ? [`--remote-debugging-port=${options.debuggingPort}`] : []),
      ],
    });
    closers.push(() => browser.close());
    const world = await openTenantWorld(
      { stack, externalsServer, faker: seededFaker(randomInt(2 ** 31)), browser },
      `${newRunToken()}-recording`,
    );
    const admin = new AdminApi(stack.apiUrl, stack.bootstrapToken);
    closers.push(() => admin.deleteTenant(world.tenant.id));
    closers.push(() => world.close());
    const member = await world.addMember(personas[options.persona].role);
    return { member, apiUrl: stack.apiUrl, stackDescription: description, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
