import { createHash, randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import { HttpResponse, http, test } from '../../fixtures/externals/index.ts';

/** The IdP's sign-in page, used in a real browser the way a person without a login hint would. */
test('a person signs in on the IdP page and is sent back to the client with a code', async ({
  externals,
  page,
}) => {
  const callback = `${externals.url}/client/callback`;
  externals.use(http.get(callback, () => HttpResponse.text('back at the client')));
  externals.idp.addUser({ email: 'lin@acme.example.test', name: 'Lin' });
  const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  const authorize = new URL(`${externals.idp.issuer}/authorize`);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: externals.idp.clientId('acme'),
    redirect_uri: callback,
    state: 'st-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(name, value);
  }

  await page.goto(authorize.href);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email').fill('nobody@acme.example.test');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'The account nobody@acme.example.test is unknown. Check the address, or ask your administrator to add you.',
  );
  await expect(page.getByLabel('Email')).toHaveValue('nobody@acme.example.test');

  await page.getByLabel('Email').fill('lin@acme.example.test');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('back at the client')).toBeVisible();
  const landed = new URL(page.url());
  expect(`${landed.origin}${landed.pathname}`).toBe(callback);
  expect(landed.searchParams.get('state')).toBe('st-1');
  expect(landed.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
});
