import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Deployment } from '../../deployments/deployments-repo.ts';
import type { Health } from '../../deployments/health-gate.ts';
import { html, type SafeHtml } from '../html.ts';
import { algorithmLabels, formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import {
  deploymentStateLabels,
  environmentLabels,
  milliseconds,
  percent,
  problemsAlert,
} from '../operations-labels.ts';

export interface DeploymentPageView {
  deployment: Deployment;
  health: Health;
  promoteProblems?: string[];
  rollbackProblems?: string[];
  note?: string;
  reason?: string;
}

const settled = new Set(['deployed', 'failed', 'superseded', 'rolled_back']);

function details(deployment: Deployment): SafeHtml {
  const item = (label: string, value: unknown) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return html`<table aria-label="Deployment details" class="summary"><tbody>
${item('Environment', environmentLabels[deployment.environment])}
${item('Model version', `${deployment.modelName} v${deployment.version}`)}
${item('Algorithm', algorithmLabels[deployment.algorithm])}
${item('Replaced version', deployment.rollbackVersion === null ? '–' : `v${deployment.rollbackVersion}`)}
${item('Deployed by', deployment.createdBy?.name ?? '–')}
${item('Deployed at', deployment.deployedAt ? formatDate(deployment.deployedAt) : '–')}
${deployment.approvalNote ? item('Approval note', deployment.approvalNote) : ''}
${deployment.promotedFromId ? item('Promoted from', html`<a href="/deployments/${deployment.promotedFromId}">staging deployment</a>`) : ''}
${deployment.rollsBackId ? item('Rolls back', html`<a href="/deployments/${deployment.rollsBackId}">the deployment it replaced</a>`) : ''}
${deployment.failureReason ? item('Failure', deployment.failureReason) : ''}
${deployment.rollbackReason ? item('Rollback reason', deployment.rollbackReason) : ''}
${deployment.rolledBackBy ? item('Rolled back by', deployment.rolledBackBy.name) : ''}
${deployment.rolledBackAt ? item('Rolled back at', formatDate(deployment.rolledBackAt)) : ''}
</tbody></table>`;
}

function healthSection(health: Health): SafeHtml {
  const item = (label: string, value: string) =>
    html`<tr><th scope="row">${label}</th><td class="num">${value}</td></tr>`;
  return html`<section aria-labelledby="health-heading">
<h2 id="health-heading">Health</h2>
<p class="hint">From the scoring requests of the last ${health.windowMinutes} minutes. Limits: error rate ${percent(health.limits.maxErrorRate)}, p95 latency ${health.limits.maxP95Ms} ms, at least ${health.limits.minRequests} request${health.limits.minRequests === 1 ? '' : 's'}.</p>
<table aria-label="Health" class="summary"><tbody>
${item('Verdict', health.healthy ? 'Healthy' : 'Not healthy')}
${item('Requests', String(health.requests))}
${item('Errors', String(health.errors))}
${item('Error rate', percent(health.errorRate))}
${item('p95 latency', milliseconds(health.p95LatencyMs))}
</tbody></table>
${health.reasons.length > 0 ? html`<ul class="plain" aria-label="Why it is not healthy">${health.reasons.map((reason) => html`<li>${reason}</li>`)}</ul>` : ''}
</section>`;
}

export function renderDeploymentPage(principal: Principal, view: DeploymentPageView): string {
  const { deployment } = view;
  const writer = can(principal.role, 'deployments', 'write');
  const canPromote = writer && deployment.environment === 'staging' && deployment.state === 'deployed';
  const canRollBack = writer && deployment.state === 'deployed' && deployment.rollbackVersionId !== null;
  const title = `${deployment.modelName} v${deployment.version} · ${environmentLabels[deployment.environment]}`;
  return renderPage({
    title,
    principal,
    scripts: settled.has(deployment.state) ? [] : ['deployment-status.js'],
    content: html`<p class="breadcrumb"><a href="/deployments">Deployments</a></p>
<h1>${title}</h1>
<p class="lead">State: <span role="status" aria-label="Deployment state" id="deployment-state" data-deployment-id="${deployment.id}" data-state="${deployment.state}">${deploymentStateLabels[deployment.state]}</span></p>
${details(deployment)}
${healthSection(view.health)}
${
  canPromote
    ? html`<section class="card" aria-labelledby="promote-heading">
<h2 id="promote-heading">Promote to production</h2>
${problemsAlert('The deployment was not promoted:', view.promoteProblems ?? [])}
<form method="post" action="/deployments/${deployment.id}/promote" aria-labelledby="promote-heading" class="stack">
${csrfField(principal)}
<div class="field"><label for="promote-note">Approval note</label>
<textarea id="promote-note" name="note" rows="3" maxlength="2000" required aria-describedby="promote-hint">${view.note ?? ''}</textarea>
<p class="hint" id="promote-hint">Why this version may serve production; it is kept with the deployment and in the audit log.</p></div>
<div class="actions"><button type="submit" class="primary">Promote</button></div>
</form>
</section>`
    : ''
}
${
  canRollBack
    ? html`<section class="card" aria-labelledby="rollback-heading">
<h2 id="rollback-heading">Roll back</h2>
<p>Brings back v${deployment.rollbackVersion ?? ''} of ${deployment.modelName} in ${environmentLabels[deployment.environment].toLowerCase()}.</p>
${problemsAlert('The deployment was not rolled back:', view.rollbackProblems ?? [])}
<form method="post" action="/deployments/${deployment.id}/rollback" aria-labelledby="rollback-heading" class="stack">
${csrfField(principal)}
<div class="field"><label for="rollback-reason">Reason</label>
<textarea id="rollback-reason" name="reason" rows="3" maxlength="2000" required>${view.reason ?? ''}</textarea></div>
<div class="actions"><button type="submit" class="primary">Roll back</button></div>
</form>
</section>`
    : ''
}`,
  });
}
