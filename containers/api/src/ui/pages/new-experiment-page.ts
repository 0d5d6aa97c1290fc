import type { Principal } from '../../auth/principal.ts';
import type { Dataset } from '../../datasets/datasets-repo.ts';
import { algorithms } from '../../detection/index.ts';
import { html } from '../html.ts';
import { algorithmLabels } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';

export interface ExperimentFormValues {
  algorithms: string[];
  contamination: string;
  period: string;
  name: string;
  seed: string;
}

export const defaultExperimentForm: ExperimentFormValues = {
  algorithms: [],
  contamination: '0.05',
  period: '',
  name: '',
  seed: '42',
};

export function renderNewExperimentPage(
  principal: Principal,
  dataset: Dataset,
  values: ExperimentFormValues,
  problems: string[] = [],
): string {
  const boxes = algorithms.map(
    (algorithm) =>
      html`<li><label><input type="checkbox" name="algorithms" value="${algorithm}"${
        values.algorithms.includes(algorithm) ? html` checked` : ''
      }> ${algorithmLabels[algorithm]}</label></li>`,
  );
  return renderPage({
    title: 'New experiment',
    principal,
    content: html`<p class="breadcrumb"><a href="/datasets/${dataset.id}">${dataset.name}</a></p>
<h1>New experiment</h1>
<p class="lead">Compare detectors on <strong>${dataset.name}</strong> (${dataset.rows} rows).</p>
${
  problems.length > 0
    ? html`<div role="alert" class="alert"><p>The experiment was not started:</p><ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>`
    : ''
}
<form method="post" action="/experiments" class="card stack" aria-label="New experiment">
${csrfField(principal)}
<input type="hidden" name="datasetId" value="${dataset.id}">
<fieldset><legend>Algorithms</legend><ul class="choices">${boxes}</ul></fieldset>
<div class="field"><label for="contamination">Contamination</label>
<input type="number" id="contamination" name="contamination" min="0.001" max="0.5" step="any" value="${values.contamination}" aria-describedby="contamination-hint">
<p class="hint" id="contamination-hint">Share of rows to flag, 0.001 to 0.5.</p></div>
<div class="field"><label for="period">Seasonal period</label>
<input type="number" id="period" name="period" min="2" step="1" value="${values.period}" aria-describedby="period-hint">
<p class="hint" id="period-hint">Optional, Robust z-score only: rows per cycle (e.g. 24 for hourly data with a daily pattern).</p></div>
<div class="field"><label for="experiment-name">Experiment name</label>
<input type="text" id="experiment-name" name="name" maxlength="200" value="${values.name}" placeholder="Experiment on ${dataset.name}"></div>
<div class="field"><label for="seed">Seed</label>
<input type="number" id="seed" name="seed" min="0" step="1" value="${values.seed}"></div>
<div class="actions"><button type="submit" class="primary">Run experiment</button></div>
</form>`,
  });
}
