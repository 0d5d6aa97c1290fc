/**
 * The doctor's checks of an external stack in both directions: this machine reaches the platform
 * (its admin API answers the bootstrap token), and the platform reaches this machine's mocks at
 * the address the run gives it (E2E_EXTERNALS_URL): a throw-away tenant whose identity provider is
 * a mock here starts a sign-in, which makes the platform fetch the provider's discovery document.
 * The tenant is deleted again.
 */
import { startExternalsServer } from '../fixtures/externals/externals-server.ts';
import { type ExternalsReachOptions, externalsServerOptions } from '../fixtures/externals/reach.ts';
import { readPlatformCapabilities } from '../fixtures/stack/capabilities.ts';
import type { ExternalStackSettings } from '../fixtures/stack/options.ts';
import { deleteTenants, newRunToken } from '../fixtures/stack/run-tenants.ts';
import type { Finding } from './doctor-checks.ts';

const reachFix =
  'Set E2E_EXTERNALS_URL to an address of this machine the platform can open (e.g. http://10.0.0.5:47100), and let the platform reach that port range (one port per worker) through any firewall.';

export async function checkExternalReach(
  stack: ExternalStackSettings,
  reach: ExternalsReachOptions,
): Promise<Finding[]> {
  let here: Finding;
  try {
    const platform = await readPlatformCapabilities(stack.apiUrl, stack.bootstrapToken);
    const clock = platform.testClock
      ? 'its test clock is on'
      : 'its test clock is off (TEST_CLOCK), so journeys needing `clock` skip';
    here = {
      check: 'platform',
      level: 'ok',
      message: `This machine reaches the platform at ${stack.apiUrl}; ${clock}.`,
    };
  } catch (error) {
    return [{ check: 'platform', level: 'error', message: (error as Error).message }];
  }
  const server = await startExternalsServer(externalsServerOptions(reach, undefined, 0));
  const slug = `${newRunToken()}-doctor`;
  const admin = { authorization: `Bearer ${stack.bootstrapToken}`, 'content-type': 'application/json' };
  let tenant: { id: string; slug: string } | undefined;
  try {
    const created = await fetch(`${stack.apiUrl}/api/admin/tenants`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        slug,
        name: 'Doctor reachability check',
        integrations: {
          oidc: {
            issuer: server.idp.issuer,
            clientId: server.idp.clientId(slug),
            clientSecret: server.idp.clientSecret,
          },
        },
      }),
    });
    if (created.status !== 201)
      throw new Error(`creating a throw-away tenant answered HTTP ${created.status}`);
    tenant = (await created.json()) as { id: string; slug: string };
    const journal = server.startJournal();
    const answer = await fetch(`${stack.apiUrl}/auth/sso/${slug}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    await answer.body?.cancel();
    const reached = journal.entries.some((entry) => entry.path.endsWith('/.well-known/openid-configuration'));
    // Sign-in sends people back to PUBLIC_URL only; without it the platform asks nobody's IdP.
    const unconfigured = answer.headers.get('location')?.endsWith('error=not_configured') ?? false;
    const there: Finding = unconfigured
      ? {
          check: 'mocks',
          level: 'error',
          message:
            'The platform has no PUBLIC_URL, so it refuses every SSO sign-in: every persona signs in that way.',
          fix: `Start the platform with PUBLIC_URL set to the address this machine reaches it at (${stack.apiUrl}).`,
        }
      : reached
        ? {
            check: 'mocks',
            level: 'ok',
            message: `The platform reaches this machine's mocks at ${server.url}.`,
          }
        : {
            check: 'mocks',
            level: 'error',
            message: `The platform did not reach this machine's mocks at ${server.url} (its sign-in answered HTTP ${answer.status}): every persona signs in through them.`,
            fix: reachFix,
          };
    return [here, there];
  } catch (error) {
    return [
      here,
      {
        check: 'mocks',
        level: 'error',
        message: `Checking that the platform reaches the mocks failed: ${(error as Error).message}.`,
        fix: reachFix,
      },
    ];
  } finally {
    if (tenant) await deleteTenants(stack, [tenant]).catch(() => undefined);
    await server.close();
  }
}
