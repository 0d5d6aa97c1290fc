import { expect, test } from '../../fixtures/index.ts';

test('ships a model to production', { tag: ['@e2e', '@production-deployer', '@smoke'] }, async ({
  deployer,
  platform,
}) => {
  await deployer.deployToStaging('detector-v1');
  await deployer.promoteToProduction('detector-v1');
  await test.step('production runs the promoted version', async () => {
    const stage = platform.deployments.get('detector-v1');
    expect(stage).toBe('production');
  });
});
