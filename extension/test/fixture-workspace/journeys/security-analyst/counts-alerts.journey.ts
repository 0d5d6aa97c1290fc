import { expect, test } from '../../fixtures/index.ts';

// Broken on purpose: the explorer must show this failure at the assertion's line with a diff.
test('counts alerts by severity (deliberately broken)', { tag: ['@e2e', '@security-analyst'] }, async ({
  securityAnalyst,
}) => {
  const feed = await securityAnalyst.openLiveFeed();
  await test.step('the summary counts each severity', async () => {
    const summary = { critical: 0, warning: 0 };
    for (const alert of feed) summary[alert.severity]++;
    expect(summary).toEqual({ critical: 2, warning: 1 });
  });
});
