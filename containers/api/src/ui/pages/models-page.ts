import type { Principal } from '../../auth/principal.ts';
import type { ModelVersion } from '../../models/model-versions.ts';
import { formatMetric, html } from '../html.ts';
import { algorithmLabels, formatDate } from '../labels.ts';
import { renderPage } from '../layout.ts';

export function renderModelsPage(principal: Principal, versions: ModelVersion[]): string {
  const rows = versions.map(
    (version) => html`<tr>
<td>${version.name}</td>
<td class="num">${version.version}</td>
<td><span class="badge stage-${version.stage}">${version.stage}</span></td>
<td>${version.sourceRunId ? html`<a href="/runs/${version.sourceRunId}">${algorithmLabels[version.algorithm]}</a>` : algorithmLabels[version.algorithm]}</td>
<td class="num">${formatMetric(version.metrics?.f1)}</td>
<td>${formatDate(version.createdAt)}</td>
</tr>`,
  );
  return renderPage({
    title: 'Models',
    principal,
    content: html`<h1>Models</h1>
${versions.length === 0 ? html`<p class="empty">No model versions yet. Register the best run of an experiment.</p>` : ''}
<table aria-label="Model versions">
<thead><tr><th scope="col">Name</th><th scope="col">Version</th><th scope="col">Stage</th><th scope="col">Algorithm</th><th scope="col">F1</th><th scope="col">Registered</th></tr></thead>
<tbody>${rows}</tbody>
</table>`,
  });
}
