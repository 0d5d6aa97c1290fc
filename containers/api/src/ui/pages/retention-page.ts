import type { Principal } from '../../auth/principal.ts';
import type { RetentionPolicy } from '../../compliance/retention-policy.ts';
import { daysText, retentionLabels as labels } from '../compliance-labels.ts';
import { html } from '../html.ts';
import { formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import { problemsAlert } from '../operations-labels.ts';

export interface RetentionView {
  policy: RetentionPolicy;
  values?: { eventsDays: string; datasetsDays: string };
  problems?: string[];
  /** A sentence saying what just happened (saved, purged). */
  notice?: string;
}

const fieldValue = (days: number | null) => (days === null ? '' : String(days));

export function renderRetentionPage(principal: Principal, view: RetentionView): string {
  const values = view.values ?? {
    eventsDays: fieldValue(view.policy.eventsDays),
    datasetsDays: fieldValue(view.policy.datasetsDays),
  };
  return renderPage({
    title: labels.heading,
    principal,
    content: html`<h1>${labels.heading}</h1>
<p class="lead">How long this organisation keeps raw stream events and uploaded datasets.</p>
${view.notice ? html`<p role="status" class="notice">${view.notice}</p>` : ''}
<table aria-label="${labels.currentTable}">
<tbody>
<tr><th scope="row">Stream events</th><td>${daysText(view.policy.eventsDays)}</td></tr>
<tr><th scope="row">Datasets</th><td>${daysText(view.policy.datasetsDays)}</td></tr>
<tr><th scope="row">Last changed</th><td>${view.policy.updatedAt ? formatDate(view.policy.updatedAt) : 'Never'}</td></tr>
</tbody>
</table>
<form method="post" action="/settings/retention" aria-label="${labels.policyForm}" class="card">
${csrfField(principal)}
${problemsAlert('The policy was not saved:', view.problems ?? [])}
<div class="field"><label for="retention-events">${labels.eventsField}</label>
<input type="number" id="retention-events" name="eventsDays" min="1" max="36500" step="1" value="${values.eventsDays}" aria-describedby="retention-hint"></div>
<div class="field"><label for="retention-datasets">${labels.datasetsField}</label>
<input type="number" id="retention-datasets" name="datasetsDays" min="1" max="36500" step="1" value="${values.datasetsDays}" aria-describedby="retention-hint"></div>
<p class="hint" id="retention-hint">${labels.hint}</p>
<div class="actions"><button type="submit" class="primary">${labels.save}</button></div>
</form>
<form method="post" action="/settings/retention/purge" aria-label="${labels.purgeForm}" class="card">
${csrfField(principal)}
<p>The platform purges by this policy on a schedule; purge now to apply a new policy at once. Each purge that deletes something is in the audit log with exact counts.</p>
<div class="actions"><button type="submit" class="secondary">${labels.purge}</button></div>
</form>`,
  });
}
