import { expect, test } from '@playwright/test';
import { summaryValue } from '../../fixtures/personas/summary-table.ts';

const health = `<table aria-label="Health"><tbody>
<tr><th scope="row">Verdict</th><td>Healthy</td></tr>
<tr><th scope="row">Requests per minute</th><td>1</td></tr>
<tr><th scope="row">Requests</th><td class="num">10</td></tr>
<tr><th scope="row">Errors</th><td class="num">0</td></tr>
</tbody></table>`;

test.describe('summaryValue', () => {
  test('reads the one cell of the row with that exact header', async ({ page }) => {
    await page.setContent(health);
    const table = page.getByRole('table', { name: 'Health' });
    await expect(summaryValue(table, 'Requests')).toHaveText('10');
    await expect(summaryValue(table, 'Requests per minute')).toHaveText('1');
    await expect(summaryValue(table, 'Verdict')).toHaveText('Healthy');
  });

  test('tells a value from one that merely contains it, where a whole-row check does not', async ({
    page,
  }) => {
    await page.setContent(health);
    const table = page.getByRole('table', { name: 'Health' });
    // What the journeys used to check: the row named "Requests" holds "1"; 10 passes.
    await expect(table.getByRole('row', { name: 'Requests', exact: false }).last()).toContainText('1');
    await expect(summaryValue(table, 'Requests')).not.toHaveText('1');
  });

  test('finds nothing for a header the table lacks', async ({ page }) => {
    await page.setContent(health);
    await expect(summaryValue(page.getByRole('table', { name: 'Health' }), 'Request')).toHaveCount(0);
  });
});
