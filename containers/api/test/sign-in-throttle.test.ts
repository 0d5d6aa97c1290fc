import { expect, test } from '@playwright/test';
import { SignInThrottle } from '../src/auth/sign-in-throttle.ts';

test('failed sign-ins are allowed up to the limit, then refused until the oldest leaves the window', () => {
  const throttle = new SignInThrottle(3, 60);
  const start = 1_000_000;
  for (let i = 0; i < 3; i++) {
    expect(throttle.retryAfterSeconds('ip|tenant', start + i * 1000)).toBe(0);
    throttle.recordFailure('ip|tenant', start + i * 1000);
  }
  expect(throttle.retryAfterSeconds('ip|tenant', start + 3000)).toBe(57);
  expect(throttle.retryAfterSeconds('ip|other-tenant', start + 3000)).toBe(0);
  expect(throttle.retryAfterSeconds('ip|tenant', start + 60_000)).toBe(0);
});
