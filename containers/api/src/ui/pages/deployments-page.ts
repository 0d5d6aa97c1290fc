import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Deployment } from '../../deployments/deployments-repo.ts';
import type { ModelVersion } from '../../models/model-versions.ts';
import { html } from '../html.ts';
import { algorithmLabels, formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import { deploymentStateLabels, environmentLabels, problemsAlert, stateBadge } from '../operations-labels.ts';

const row = (deployment: Deployment) => html`<tr>
<td><a href="/deployments/${deployment.id}">${deployment.modelName} v${deployment.version}</a></td>
<td>${environmentLabels[deployment.environment]}</td>
<td>${stateBadge('state', deployment.state, deploymentStateLabels[deployment.state])}</td>
<td>${algorithmLabels[deployment.algorithm]}</td>
<td>${deployment.rollbackVersion === null ? '–' : `v${deployment.rollbackVersion}`}</td>
<td>${deployment.deployedAt ? formatDate(deployment.deployedAt) : '–'}</td>
</tr>`;

const head = html`<thead><tr><th scope="col">Model</th><th scope="col">Environment</th><th scope="col">State</th><th scope="col">Algorithm</th><th scope="col">Replaced version</th><th scope="col">Deployed</th></tr></thead>`;

export function renderDeploymentsPage(
  principal: Principal,
  view: { deployments: Deployment[]; versions: ModelVersion[]; problems?: string[]; chosen?: string },
): string {
  const serving = view.deployments.filter((deployment) => deployment.serving);
  const deployForm = can(principal.role, 'deployments', 'write')
    ? html`<section class="card" aria-labelledby="deploy-heading">
<h2 id="deploy-heading">Deploy to staging</h2>
${problemsAlert('The version was not deployed:', view.problems ?? [])}
${
  view.versions.length === 0
    ? html`<p class="empty">No model versions yet. A data scientist registers one from an experiment.</p>`
    : html`<form method="post" action="/deployments" aria-labelledby="deploy-heading" class="stack">
${csrfField(principal)}
<div class="field"><label for="deploy-version">Model version</label>
<select id="deploy-version" name="modelVersionId" required>
${view.versions.map(
  (version) =>
    html`<option value="${version.id}"${version.id === view.chosen ? html` selected` : ''}>${version.name} v${version.version} (${algorithmLabels[version.algorithm]}, ${version.stage})</option>`,
)}
</select>
<p class="hint">Production only takes promotions from a healthy staging deployment.</p></div>
<div class="actions"><button type="submit" class="primary">Deploy</button></div>
</form>`
}
</section>`
    : '';
  return renderPage({
    title: 'Deployments',
    principal,
    content: html`<h1>Deployments</h1>
<section aria-labelledby="serving-heading">
<h2 id="serving-heading">Serving now</h2>
${serving.length === 0 ? html`<p class="empty">Nothing serves yet.</p>` : ''}
<table aria-label="Serving deployments">${head}<tbody>${serving.map(row)}</tbody></table>
</section>
${deployForm}
<section aria-labelledby="history-heading">
<h2 id="history-heading">History</h2>
<table aria-label="Deployment history">${head}<tbody>${view.deployments.map(row)}</tbody></table>
</section>`,
  });
}
