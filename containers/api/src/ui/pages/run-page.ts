import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Experiment, Run } from '../../experiments/experiments-repo.ts';
import { formatMetric, html } from '../html.ts';
import { algorithmLabels, formatParams, statusLabels } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import { renderScoreChart } from '../score-chart.ts';

export interface RerunValues {
  contamination: string;
  threshold: string;
  period: string;
}

export function rerunDefaults(run: Run): RerunValues {
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    contamination: text(run.params.contamination),
    threshold: text(run.params.threshold),
    period: text(run.params.period),
  };
}

export function renderRunPage(
  principal: Principal,
  view: {
    run: Run;
    experiment: Experiment;
    results: { scores: number[]; flags: boolean[] } | null;
    rerun: RerunValues;
    problems?: string[];
  },
): string {
  const { run, experiment, results } = view;
  const metric = (label: string, value: string) =>
    html`<tr><th scope="row">${label}</th><td class="num">${value}</td></tr>`;
  const robust = run.algorithm === 'robust_zscore';
  return renderPage({
    title: `${algorithmLabels[run.algorithm]} run`,
    principal,
    content: html`<p class="breadcrumb"><a href="/experiments/${experiment.id}">${experiment.name}</a></p>
<h1>${algorithmLabels[run.algorithm]} run</h1>
<p class="lead">${statusLabels[run.status]} · ${formatParams(run.params)}</p>
${
  (view.problems ?? []).length > 0
    ? html`<div role="alert" class="alert"><p>The re-run was not started:</p><ul>${(view.problems ?? []).map((problem) => html`<li>${problem}</li>`)}</ul></div>`
    : run.status === 'failed'
      ? html`<p role="alert" class="alert">This run failed: ${run.error ?? 'unknown error'}</p>`
      : ''
}
<section aria-labelledby="metrics-heading">
<h2 id="metrics-heading">Metrics</h2>
<table aria-label="Run metrics" class="summary">
<tbody>
${metric('Precision', formatMetric(run.metrics?.precision))}
${metric('Recall', formatMetric(run.metrics?.recall))}
${metric('F1', formatMetric(run.metrics?.f1))}
${metric('ROC-AUC', formatMetric(run.metrics?.rocAuc))}
${metric('Anomalies', run.anomalies === null ? '–' : String(run.anomalies))}
${metric('Anomaly rate', run.anomalyRate === null ? '–' : `${(run.anomalyRate * 100).toFixed(1)}%`)}
</tbody>
</table>
${run.metrics === null && run.status === 'completed' ? html`<p class="hint">The dataset has no label column, so there is nothing to measure against.</p>` : ''}
</section>
<section aria-labelledby="chart-heading">
<h2 id="chart-heading">Scores</h2>
${results ? renderScoreChart(results.scores, results.flags, run.threshold) : html`<p class="empty">Scores appear when the run has completed.</p>`}
${
  results
    ? html`<p class="exports"><a class="button secondary" href="/api/runs/${run.id}/results?format=csv" download="run-${run.id}.csv">Export CSV</a>
<a class="button secondary" href="/api/runs/${run.id}/results?format=json" download="run-${run.id}.json">Export JSON</a></p>`
    : ''
}
</section>
${
  can(principal.role, 'datasets', 'write')
    ? html`<section class="card" aria-labelledby="rerun-heading">
<h2 id="rerun-heading">Re-run with</h2>
<form method="post" action="/runs/${run.id}/rerun" aria-labelledby="rerun-heading" class="stack">
${csrfField(principal)}
<div class="field"><label for="rerun-contamination">Contamination</label>
<input type="number" id="rerun-contamination" name="contamination" min="0.001" max="0.5" step="any" value="${view.rerun.contamination}"${
        robust ? html` aria-describedby="rerun-contamination-hint"` : ''
      }>
${robust ? html`<p class="hint" id="rerun-contamination-hint">Leave empty to flag by threshold instead.</p>` : ''}</div>
${
  robust
    ? html`<div class="field"><label for="rerun-threshold">Threshold</label>
<input type="number" id="rerun-threshold" name="threshold" min="0" step="any" value="${view.rerun.threshold}"></div>
<div class="field"><label for="rerun-period">Seasonal period</label>
<input type="number" id="rerun-period" name="period" min="2" step="1" value="${view.rerun.period}"></div>`
    : ''
}
<div class="actions"><button type="submit" class="primary">Re-run</button></div>
</form>
</section>`
    : ''
}`,
  });
}
