import { getResponse, type HttpHandler, http } from 'msw';
import { idpFaults } from '../../fixtures/externals/idp-faults.ts';
import { expect, test } from '../../fixtures/index.ts';

const unavailable =
  'The identity provider is not responding, so you cannot sign in right now. Try again in a few minutes; scripts can keep using API keys.';

/**
 * An identity-provider outage that can end mid-test: while a fault is set, the IdP's endpoints
 * answer with it; once recovered, this handler steps aside and the real IdP answers again.
 */
function identityProviderOutage(issuer: string) {
  let faults: readonly HttpHandler[] | null = null;
  return {
    handler: http.all(`${issuer}/*`, ({ request }) =>
      faults ? getResponse([...faults], request) : undefined,
    ),
    fail(handlers: readonly HttpHandler[]) {
      faults = handlers;
    },
    recover() {
      faults = null;
    },
  };
}

test('keeps working when SSO is down', {
  tag: ['@e2e', '@security-analyst', '@resilience'],
}, async ({ securityAnalyst, externals }) => {
  const page = securityAnalyst.page;
  const discoveryPath = '/idp/.well-known/openid-configuration';
  // The analyst's own sign-in when joining already asked for discovery; count from here on.
  const discoveriesSince = (() => {
    const earlier = externals.journal.requests({ path: discoveryPath }).length;
    return () => externals.journal.requests({ path: discoveryPath }).slice(earlier);
  })();
  const outage = identityProviderOutage(externals.idp.issuer);
  externals.use(outage.handler);

  const attemptSignIn = async () => {
    await securityAnalyst.context.clearCookies();
    await page.goto(`/login/${securityAnalyst.tenant.slug}`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await expect(page).toHaveURL(
      new RegExp(`/login/${securityAnalyst.tenant.slug}\\?error=idp_unavailable$`),
    );
    await expect(page.getByRole('alert')).toHaveText(unavailable);
  };

  await test.step('the IdP is down: the sign-in page says so, three times running', async () => {
    outage.fail(idpFaults.unavailable(externals.idp));
    for (let attempt = 0; attempt < 3; attempt++) await attemptSignIn();
    expect(discoveriesSince().map((entry) => entry.status)).toEqual([503, 503, 503]);
  });

  await test.step('the IdP answers garbage: the same plain explanation', async () => {
    outage.fail(idpFaults.garbage(externals.idp));
    for (let attempt = 0; attempt < 2; attempt++) await attemptSignIn();
  });

  await test.step('the IdP hangs: the platform gives up and explains', async () => {
    outage.fail(idpFaults.timeout(externals.idp));
    await attemptSignIn();
    expect(discoveriesSince()).toHaveLength(6);
    // The platform answers the person as it gives up; the mock sees the connection close a moment
    // later, so the journal is polled for it.
    await expect
      .poll(() => discoveriesSince().at(-1)?.aborted, { message: 'the platform abandoned the hanging call' })
      .toBe(true);
  });

  await test.step('API keys keep working during the outage', async () => {
    const me = await securityAnalyst.api.me();
    expect(me).toMatchObject({ email: securityAnalyst.user.email, role: 'security_analyst' });
    const refusals = await securityAnalyst.auditEntries({ action: 'auth.sign_in', outcome: 'failure' });
    expect(refusals).toHaveLength(6);
    expect(refusals).toHaveAuditEntry({ details: { reason: 'idp_unavailable' } }, { times: 6 });
  });

  outage.recover();

  await test.step('after recovery, sign-in works again; the outage locked nobody out', async () => {
    await securityAnalyst.signInThroughSso();
    const signIns = await securityAnalyst.auditEntries({
      action: 'auth.sign_in',
      actor: securityAnalyst.user.email,
    });
    expect(signIns.map((entry) => entry.outcome)).toEqual(['success', 'success']);
  });
});
