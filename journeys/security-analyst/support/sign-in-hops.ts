import type { BrowserContext, Cookie } from '@playwright/test';
import { reachableFromHere } from '../../../fixtures/personas/sign-in.ts';

/**
 * A sign-in walked hop by hop with the browser context's own request API (its cookie jar, no page
 * rendered), so a journey can stop between the hops: keep the transaction cookie an attacker would
 * keep, age the attempt, or read where the callback sends the person.
 */
export interface StartedSignIn {
  state: string;
  /** The signed `oidc_<state>` cookie the platform set for this browser. */
  cookie: Cookie;
  /** The identity provider's authorization URL. */
  toIdp: string;
}

export async function startSignIn(context: BrowserContext, path: string): Promise<StartedSignIn> {
  const start = await context.request.get(path, { maxRedirects: 0 });
  const toIdp = start.headers().location;
  if (start.status() !== 302 || !toIdp)
    throw new Error(`${path} answered ${start.status()} instead of sending the browser to the IdP.`);
  const state = new URL(toIdp).searchParams.get('state') ?? '';
  const cookie = (await context.cookies()).find((candidate) => candidate.name === `oidc_${state}`);
  if (!cookie) throw new Error(`${path} set no sign-in transaction cookie oidc_<state> for its state.`);
  return { state, cookie, toIdp };
}

/** The IdP signs the person in (its login hint) and the callback answers: where it sends them. */
export async function returnFromIdp(context: BrowserContext, started: StartedSignIn): Promise<string> {
  const authorize = await context.request.get(reachableFromHere(started.toIdp), { maxRedirects: 0 });
  const toCallback = authorize.headers().location;
  if (!toCallback)
    throw new Error(
      `The IdP answered ${authorize.status()} without sending the browser back to the platform.`,
    );
  const callback = await context.request.get(toCallback, { maxRedirects: 0 });
  return callback.headers().location ?? `(no redirect: HTTP ${callback.status()})`;
}
