import type { Tenant } from '../../tenants/tenants.ts';
import { html } from '../html.ts';
import { renderPage } from '../layout.ts';

/** Why a sign-in did not happen, in words the person can act on. */
export const signInProblems = {
  idp_unavailable:
    'The identity provider is not responding, so you cannot sign in right now. Try again in a few minutes; scripts can keep using API keys.',
  idp_invalid:
    'The identity provider sent an answer that could not be verified, so you were not signed in. Try again, and tell your administrator if it keeps happening.',
  idp_refused:
    'The identity provider did not approve this sign-in. Try again, or ask your administrator for access.',
  unknown_account:
    'There is no account for that email in this organisation. Ask your administrator to add you.',
  expired: 'This sign-in attempt took too long and expired. Start again with Sign in with SSO.',
  replayed:
    'This sign-in attempt was already used, so it cannot sign anyone in again. Start again with Sign in with SSO.',
  email_unverified:
    'The identity provider has not verified the email address of this account, so it cannot sign in here. Verify the address with your identity provider, then try again.',
  identity_mismatch:
    'This email belongs to a member who signs in with a different account at the identity provider, so you were not signed in. Ask your administrator if your account has changed.',
  wrong_audience:
    'The identity provider sent an answer meant for another application, so you were not signed in. Tell your administrator: the client id may be misconfigured.',
  wrong_nonce:
    'The identity provider sent an answer that belongs to a different sign-in attempt, so you were not signed in. Start again with Sign in with SSO.',
  wrong_issuer:
    'The answer came from a different identity provider than the one this organisation trusts, so you were not signed in. Tell your administrator.',
  not_configured:
    'Sign-in is not set up on this platform yet: its operator must set PUBLIC_URL to the address people use to reach it.',
  suspended: 'This organisation is suspended, so nobody can sign in. Contact your administrator.',
  erased:
    "This account's personal data was erased on request, so it can no longer sign in. Ask your administrator for a new account if you need one.",
} as const;
export type SignInProblem = keyof typeof signInProblems;

export const isSignInProblem = (value: unknown): value is SignInProblem =>
  typeof value === 'string' && Object.hasOwn(signInProblems, value);

export function renderLoginPage(
  tenant: Pick<Tenant, 'slug' | 'name'>,
  problem: SignInProblem | null,
): string {
  return renderPage({
    title: `Sign in to ${tenant.name}`,
    principal: null,
    content: html`<section class="card narrow">
<h1>Sign in to ${tenant.name}</h1>
${problem ? html`<p role="alert" class="alert">${signInProblems[problem]}</p>` : ''}
<p>You sign in with your organisation's single sign-on.</p>
<p><a class="button primary" href="/auth/sso/${encodeURIComponent(tenant.slug)}">Sign in with SSO</a></p>
</section>`,
  });
}
