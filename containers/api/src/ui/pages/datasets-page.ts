import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Dataset } from '../../datasets/datasets-repo.ts';
import { html } from '../html.ts';
import { formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';

export interface UploadProblem {
  message: string;
  items: string[];
}

export function renderDatasetsPage(
  principal: Principal,
  datasets: { items: Dataset[]; total: number },
  options: { problem?: UploadProblem; maxBytes: number; values?: { name?: string; labelColumn?: string } },
): string {
  const rows = datasets.items.map(
    (dataset) => html`<tr>
<td><a href="/datasets/${dataset.id}">${dataset.name}</a></td>
<td class="num">${dataset.rows}</td>
<td class="num">${dataset.columns.length}</td>
<td>${dataset.labelColumn ?? '–'}</td>
<td>${formatDate(dataset.createdAt)}</td>
</tr>`,
  );
  const problem = options.problem;
  const uploadForm = can(principal.role, 'datasets', 'write')
    ? html`<section class="card" aria-labelledby="upload-heading">
<h2 id="upload-heading">Upload a dataset</h2>
${
  problem
    ? html`<div role="alert" class="alert"><p>${problem.message}</p>${
        problem.items.length > 0 ? html`<ul>${problem.items.map((item) => html`<li>${item}</li>`)}</ul>` : ''
      }</div>`
    : ''
}
<form method="post" action="/datasets" enctype="multipart/form-data" aria-labelledby="upload-heading" class="stack">
${csrfField(principal)}
<div class="field"><label for="upload-file">CSV file</label>
<input type="file" id="upload-file" name="file" accept=".csv,text/csv" required aria-describedby="upload-file-hint">
<p class="hint" id="upload-file-hint">A .csv file with a header row, up to ${Math.round(options.maxBytes / (1024 * 1024))} MB.</p></div>
<div class="field"><label for="upload-name">Name</label>
<input type="text" id="upload-name" name="name" maxlength="200" value="${options.values?.name ?? ''}"></div>
<div class="field"><label for="upload-label">Label column</label>
<input type="text" id="upload-label" name="labelColumn" maxlength="200" value="${options.values?.labelColumn ?? ''}" aria-describedby="upload-label-hint">
<p class="hint" id="upload-label-hint">Optional. A column named label or is_anomaly is used automatically.</p></div>
<div class="actions"><button type="submit" class="primary">Upload</button></div>
</form>
</section>`
    : '';
  return renderPage({
    title: 'Datasets',
    principal,
    content: html`<h1>Datasets</h1>
<section aria-labelledby="list-heading">
<h2 id="list-heading" class="visually-hidden">All datasets</h2>
${datasets.total === 0 ? html`<p class="empty">No datasets yet.</p>` : ''}
<table aria-label="Datasets">
<thead><tr><th scope="col">Name</th><th scope="col">Rows</th><th scope="col">Columns</th><th scope="col">Label column</th><th scope="col">Uploaded</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</section>
${uploadForm}`,
  });
}
