import type { AuditRecord } from '../../audit/audit-query.ts';
import type { Principal } from '../../auth/principal.ts';
import { html } from '../html.ts';
import { renderPage } from '../layout.ts';
import { problemsAlert } from '../operations-labels.ts';

export interface AuditFormValues {
  actor: string;
  action: string;
  from: string;
  to: string;
}

const timestamp = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/** The details people look for first (a reason, a note), then the rest as compact JSON. */
function detailsText(details: Record<string, unknown>): string {
  const { reason, note, ...rest } = details;
  const parts = [
    typeof reason === 'string' ? `reason: ${reason}` : null,
    typeof note === 'string' ? `note: ${note}` : null,
    Object.keys(rest).length > 0 ? JSON.stringify(rest) : null,
  ].filter((part): part is string => part !== null);
  return parts.join(' · ');
}

export function renderAuditPage(
  principal: Principal,
  view: {
    entries: { items: AuditRecord[]; total: number };
    actions: string[];
    values: AuditFormValues;
    exportQuery: string;
    problems?: string[];
  },
): string {
  const { values } = view;
  return renderPage({
    title: 'Audit log',
    principal,
    content: html`<h1>Audit log</h1>
<p class="lead">Every sign-in, change and refusal in this organisation. Entries cannot be changed or removed.</p>
<form method="get" action="/audit" aria-label="Filter audit log" class="filters">
${problemsAlert('The filter was not applied:', view.problems ?? [])}
<div class="field"><label for="audit-actor">Actor</label>
<input type="text" id="audit-actor" name="actor" value="${values.actor}" placeholder="email or user id"></div>
<div class="field"><label for="audit-action">Action</label>
<select id="audit-action" name="action">
<option value="">All actions</option>
${view.actions.map((action) => html`<option value="${action}"${action === values.action ? html` selected` : ''}>${action}</option>`)}
</select></div>
<div class="field"><label for="audit-from">From</label>
<input type="datetime-local" id="audit-from" name="from" step="1" value="${values.from}" aria-describedby="audit-time-hint"></div>
<div class="field"><label for="audit-to">To</label>
<input type="datetime-local" id="audit-to" name="to" step="1" value="${values.to}" aria-describedby="audit-time-hint"></div>
<p class="hint" id="audit-time-hint">Times are UTC.</p>
<div class="actions"><button type="submit" class="primary">Filter</button>
<a class="button secondary" href="/api/audit/export${view.exportQuery}" download="audit-log.csv">Export CSV</a></div>
</form>
<p class="hint" id="audit-count">${view.entries.total} entr${view.entries.total === 1 ? 'y' : 'ies'}${
      view.entries.total > view.entries.items.length
        ? `; the newest ${view.entries.items.length} are shown`
        : ''
    }.</p>
<table aria-label="Audit entries">
<thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">IP</th><th scope="col">Details</th></tr></thead>
<tbody>${view.entries.items.map(
      (entry) => html`<tr>
<td><time datetime="${entry.at}">${timestamp(entry.at)}</time></td>
<td>${entry.actorEmail ?? '–'}</td>
<td>${entry.action}</td>
<td>${entry.targetType ? `${entry.targetType} ${entry.targetId ?? ''}`.trim() : '–'}</td>
<td>${entry.outcome}</td>
<td>${entry.ip ?? '–'}</td>
<td class="details">${detailsText(entry.details)}</td>
</tr>`,
    )}</tbody>
</table>`,
  });
}
