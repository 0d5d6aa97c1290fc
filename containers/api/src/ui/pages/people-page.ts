import type { Principal } from '../../auth/principal.ts';
import type { Member } from '../../tenants/users.ts';
import { peopleLabels as labels } from '../compliance-labels.ts';
import { html } from '../html.ts';
import { csrfField, renderPage } from '../layout.ts';
import { problemsAlert } from '../operations-labels.ts';

export function renderPeoplePage(
  principal: Principal,
  view: { members: Member[]; notice?: string; problems?: string[] },
): string {
  return renderPage({
    title: labels.heading,
    principal,
    content: html`<h1>${labels.heading}</h1>
<p class="lead">Everyone in this organisation. Erasing a person replaces their name and email with a pseudonym everywhere the platform kept them, ends their sessions and revokes their API keys; the audit log keeps every entry under the pseudonym.</p>
${view.notice ? html`<p role="status" class="notice">${view.notice}</p>` : ''}
${problemsAlert('Nothing was erased:', view.problems ?? [])}
<table aria-label="${labels.table}">
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Personal data</th></tr></thead>
<tbody>${view.members.map(
      (member) => html`<tr>
<td>${member.name}</td><td>${member.email}</td><td>${member.role}</td>
<td>${member.erasedAt ? labels.erasedStatus : labels.activeStatus}</td>
<td>${
        member.erasedAt || member.id === principal.userId
          ? '–'
          : html`<form method="post" action="/settings/people/${member.id}/erase" class="inline">${csrfField(principal)}<button type="submit" class="danger">${labels.erase(member.name)}</button></form>`
      }</td>
</tr>`,
    )}</tbody>
</table>`,
  });
}
