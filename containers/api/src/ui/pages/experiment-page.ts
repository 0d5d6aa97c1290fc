import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Dataset } from '../../datasets/datasets-repo.ts';
import type { Experiment, Job } from '../../experiments/experiments-repo.ts';
import {
  type LeaderboardEntry,
  metricLabels,
  type RankingMetric,
  rankingMetrics,
} from '../../experiments/leaderboard.ts';
import { formatMetric, html } from '../html.ts';
import { algorithmLabels, formatParams, statusLabels } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';

export function leaderboardRow(entry: LeaderboardEntry) {
  return html`<tr>
<td class="num">${entry.rank}</td>
<td><a href="/runs/${entry.runId}">${algorithmLabels[entry.algorithm]}</a> <span class="params">${formatParams(entry.params)}</span></td>
<td class="num">${formatMetric(entry.metrics?.f1)}</td>
<td class="num">${formatMetric(entry.metrics?.precision)}</td>
<td class="num">${formatMetric(entry.metrics?.recall)}</td>
<td class="num">${formatMetric(entry.metrics?.rocAuc)}</td>
<td class="num">${entry.anomalies ?? '–'}</td>
</tr>`;
}

export function renderExperimentPage(
  principal: Principal,
  view: {
    experiment: Experiment;
    dataset: Dataset | null;
    job: Job | null;
    metric: RankingMetric;
    entries: LeaderboardEntry[];
    problem?: string;
  },
): string {
  const { experiment, metric, entries } = view;
  const percent = Math.round(experiment.progress * 100);
  const terminal = experiment.status === 'completed' || experiment.status === 'failed';
  const failedRuns = experiment.runs.filter((run) => run.status === 'failed');
  const alertText =
    view.problem ??
    (experiment.status === 'failed'
      ? `The experiment failed: ${view.job?.error ?? 'see the runs below.'}`
      : null);
  const options = rankingMetrics.map(
    (candidate) =>
      html`<option value="${candidate}"${candidate === metric ? html` selected` : ''}>${metricLabels[candidate]}</option>`,
  );
  return renderPage({
    title: experiment.name,
    principal,
    scripts: ['experiment-progress.js'],
    content: html`<p class="breadcrumb"><a href="/experiments">Experiments</a>${
      view.dataset ? html` · <a href="/datasets/${view.dataset.id}">${view.dataset.name}</a>` : ''
    }</p>
<h1>${experiment.name}</h1>
<p class="lead">${experiment.runs.length} run${experiment.runs.length === 1 ? '' : 's'} · seed ${experiment.seed}</p>
<div role="alert" class="alert" id="experiment-alert"${alertText ? '' : html` hidden`}>${alertText ?? ''}</div>
<section class="card progress-card" aria-labelledby="progress-heading">
<h2 id="progress-heading" class="visually-hidden">Progress</h2>
<progress id="experiment-progress" max="100" value="${percent}" aria-label="Experiment progress"
  aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}"
  data-experiment-id="${experiment.id}" data-metric="${metric}" data-state="${experiment.status}"></progress>
<p role="status" id="experiment-status" class="status status-${experiment.status}">${statusLabels[experiment.status]}</p>
</section>
<section aria-labelledby="leaderboard-heading">
<div class="section-head">
<h2 id="leaderboard-heading">Leaderboard</h2>
<form method="get" action="/experiments/${experiment.id}" class="inline" aria-label="Rank leaderboard">
<label for="rank-by">Rank by</label>
<select id="rank-by" name="metric" data-autosubmit="true">${options}</select>
<button type="submit" class="secondary">Rank</button>
</form>
</div>
<table aria-label="Leaderboard" id="leaderboard">
<thead><tr><th scope="col">Rank</th><th scope="col">Algorithm</th><th scope="col">F1</th><th scope="col">Precision</th><th scope="col">Recall</th><th scope="col">ROC-AUC</th><th scope="col">Anomalies</th></tr></thead>
<tbody>${entries.map(leaderboardRow)}</tbody>
</table>
<p class="empty" id="leaderboard-empty"${entries.length === 0 ? '' : html` hidden`}>${
      terminal ? 'No run completed.' : 'Results appear here when the runs complete.'
    }</p>
<ul class="plain failed-runs" id="failed-runs">${failedRuns.map(
      (run) =>
        html`<li><a href="/runs/${run.id}">${algorithmLabels[run.algorithm]}</a> failed: ${run.error ?? 'unknown error'}</li>`,
    )}</ul>
</section>
${
  can(principal.role, 'models', 'write')
    ? html`<section class="card" aria-labelledby="register-heading">
<h2 id="register-heading">Register best run</h2>
<form method="post" action="/experiments/${experiment.id}/register-best" aria-labelledby="register-heading" class="stack">
${csrfField(principal)}
<input type="hidden" name="metric" value="${metric}">
<p class="hint">Registers the top run by ${metricLabels[metric]} as the next version of the model.</p>
<div class="field"><label for="model-name">Model name</label>
<input type="text" id="model-name" name="name" maxlength="200" required></div>
<div class="actions"><button type="submit" class="primary">Register model</button></div>
</form>
</section>`
    : ''
}`,
  });
}
