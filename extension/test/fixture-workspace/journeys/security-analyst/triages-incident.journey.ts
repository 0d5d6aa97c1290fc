import { expect, test } from '../../fixtures/index.ts';

test('triages a live incident', { tag: ['@e2e', '@security-analyst', '@smoke'] }, async ({
  securityAnalyst,
}) => {
  const feed = await securityAnalyst.openLiveFeed();
  const critical = feed.filter((alert) => alert.severity === 'critical');
  await test.step('the feed shows the critical alerts first', async () => {
    expect(critical.map((alert) => alert.id)).toEqual([1, 3, 4]);
  });
  for (const alert of critical) await securityAnalyst.acknowledgeAlert(alert);
  await test.step('nothing critical is left open', async () => {
    expect((await securityAnalyst.openLiveFeed()).map((alert) => alert.id)).toEqual([2]);
  });
});
