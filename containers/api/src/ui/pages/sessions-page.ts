import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { Deployment } from '../../deployments/deployments-repo.ts';
import type { StreamSession } from '../../streaming/sessions-repo.ts';
import { html } from '../html.ts';
import { formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import { problemsAlert, sessionStateLabels, stateBadge } from '../operations-labels.ts';

export function renderSessionsPage(
  principal: Principal,
  view: { sessions: StreamSession[]; production: Deployment[]; problems?: string[]; name?: string },
): string {
  const rows = view.sessions.map(
    (session) => html`<tr>
<td><a href="/sessions/${session.id}">${session.name}</a></td>
<td>${stateBadge('session', session.state, sessionStateLabels[session.state])}</td>
<td>${session.modelName}</td>
<td class="num">${session.received}</td>
<td class="num">${session.anomalies}</td>
<td>${formatDate(session.createdAt)}</td>
</tr>`,
  );
  const createForm = can(principal.role, 'streaming', 'write')
    ? html`<section class="card" aria-labelledby="new-session-heading">
<h2 id="new-session-heading">New streaming session</h2>
${problemsAlert('The session was not created:', view.problems ?? [])}
${
  view.production.length === 0
    ? html`<p class="empty">No deployment serves production yet. Promote a healthy staging deployment first.</p>`
    : html`<form method="post" action="/sessions" aria-labelledby="new-session-heading" class="stack">
${csrfField(principal)}
<div class="field"><label for="session-name">Session name</label>
<input type="text" id="session-name" name="name" maxlength="200" required value="${view.name ?? ''}"></div>
<div class="field"><label for="session-deployment">Production deployment</label>
<select id="session-deployment" name="deploymentId" required>
${view.production.map((deployment) => html`<option value="${deployment.id}">${deployment.modelName} v${deployment.version}</option>`)}
</select></div>
<div class="actions"><button type="submit" class="primary">Create session</button></div>
</form>`
}
</section>`
    : '';
  return renderPage({
    title: 'Streaming sessions',
    principal,
    content: html`<h1>Streaming sessions</h1>
${view.sessions.length === 0 ? html`<p class="empty">No sessions yet.</p>` : ''}
<table aria-label="Sessions">
<thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Model</th><th scope="col">Received</th><th scope="col">Anomalies</th><th scope="col">Created</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${createForm}`,
  });
}
