import type { Principal } from '../../auth/principal.ts';
import type { Experiment } from '../../experiments/experiments-repo.ts';
import { html } from '../html.ts';
import { algorithmLabels, formatDate, statusLabels } from '../labels.ts';
import { renderPage } from '../layout.ts';

export function renderExperimentsPage(
  principal: Principal,
  experiments: { items: Experiment[]; total: number },
): string {
  const rows = experiments.items.map(
    (experiment) => html`<tr>
<td><a href="/experiments/${experiment.id}">${experiment.name}</a></td>
<td>${[...new Set(experiment.runs.map((run) => algorithmLabels[run.algorithm]))].join(', ')}</td>
<td>${statusLabels[experiment.status]}</td>
<td>${formatDate(experiment.createdAt)}</td>
</tr>`,
  );
  return renderPage({
    title: 'Experiments',
    principal,
    content: html`<h1>Experiments</h1>
<p class="lead">Start an experiment from a dataset's page.</p>
${experiments.total === 0 ? html`<p class="empty">No experiments yet. <a href="/datasets">Pick a dataset</a> to start one.</p>` : ''}
<table aria-label="Experiments">
<thead><tr><th scope="col">Name</th><th scope="col">Algorithms</th><th scope="col">Status</th><th scope="col">Started</th></tr></thead>
<tbody>${rows}</tbody>
</table>`,
  });
}
