import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Dataset } from '../../datasets/datasets-repo.ts';
import type { ColumnProfile } from '../../datasets/profile.ts';
import type { Experiment } from '../../experiments/experiments-repo.ts';
import { html } from '../html.ts';
import { formatDate, statusLabels } from '../labels.ts';
import { renderPage } from '../layout.ts';

function statistic(value: number | string | undefined): string {
  if (value === undefined) return '–';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

export function renderDatasetPage(principal: Principal, dataset: Dataset, experiments: Experiment[]): string {
  const profileRows = dataset.profile.columns.map(
    (column: ColumnProfile) => html`<tr>
<th scope="row">${column.name}</th><td>${column.type}</td><td class="num">${column.missing}</td>
<td class="num">${statistic(column.min)}</td><td class="num">${statistic(column.max)}</td><td class="num">${statistic(column.mean)}</td>
<td class="num">${statistic(column.stddev)}</td>
</tr>`,
  );
  const experimentItems = experiments.map(
    (experiment) =>
      html`<li><a href="/experiments/${experiment.id}">${experiment.name}</a> · ${statusLabels[experiment.status]} · ${formatDate(experiment.createdAt)}</li>`,
  );
  return renderPage({
    title: dataset.name,
    principal,
    content: html`<p class="breadcrumb"><a href="/datasets">Datasets</a></p>
<h1>${dataset.name}</h1>
${
  can(principal.role, 'datasets', 'write')
    ? html`<p><a class="button primary" href="/experiments/new?datasetId=${dataset.id}">New experiment</a></p>`
    : ''
}
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<table aria-label="Dataset summary" class="summary">
<tbody>
<tr><th scope="row">Rows</th><td>${dataset.rows}</td></tr>
<tr><th scope="row">Columns</th><td>${dataset.columns.length}</td></tr>
<tr><th scope="row">Label column</th><td>${dataset.labelColumn ?? 'none (unlabelled)'}</td></tr>
<tr><th scope="row">Uploaded</th><td>${formatDate(dataset.createdAt)}</td></tr>
</tbody>
</table>
</section>
<section aria-labelledby="profile-heading">
<h2 id="profile-heading">Column profile</h2>
<table aria-label="Column profile">
<thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Missing</th><th scope="col">Min</th><th scope="col">Max</th><th scope="col">Mean</th><th scope="col">Std dev</th></tr></thead>
<tbody>${profileRows}</tbody>
</table>
</section>
<section aria-labelledby="experiments-heading">
<h2 id="experiments-heading">Experiments on this dataset</h2>
${experimentItems.length > 0 ? html`<ul class="plain">${experimentItems}</ul>` : html`<p class="empty">None yet.</p>`}
</section>`,
  });
}
