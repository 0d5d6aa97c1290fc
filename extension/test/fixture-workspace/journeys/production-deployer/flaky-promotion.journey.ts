import { expect, test } from '../../fixtures/index.ts';

test.describe.configure({ retries: 1 });

// Fails on its first attempt on purpose, so the explorer's handling of retries stays tested.
test(
  'promotes on the second attempt (deliberately flaky)',
  { tag: ['@e2e', '@production-deployer'] },
  async ({ deployer }, testInfo) => {
    await deployer.deployToStaging('detector-v2');
    await test.step('the first attempt is refused', async () => {
      expect(testInfo.retry, 'the first attempt fails on purpose').toBeGreaterThan(0);
    });
    await deployer.promoteToProduction('detector-v2');
  },
);
