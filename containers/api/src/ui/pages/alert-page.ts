import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { EventDetail } from '../../events/event-service.ts';
import { canEscalate } from '../../events/event-states.ts';
import type { Enrichment } from '../../events/threat-intel.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import { eventStatusLabels, percent, problemsAlert, severityLabels } from '../operations-labels.ts';

export interface AlertPageView {
  event: EventDetail;
  /** The enrichment, why the last check failed, or the address not checked yet (null: none to check). */
  intelligence: { enrichment: Enrichment } | { unavailable: string } | { notChecked: string | null };
  problems?: string[];
}

const actionWords = {
  raised: 'Raised',
  acknowledged: 'Acknowledged',
  escalated: 'Escalated to PagerDuty',
  enriched: 'Checked the source IP',
  resolved: 'Resolved',
  ignored: 'Ignored',
  noted: 'Added a note',
} as const;

function detailsTable(event: EventDetail): SafeHtml {
  const item = (label: string, value: unknown) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return html`<table aria-label="Event details" class="summary"><tbody>
${item('Severity', severityLabels[event.severity])}
${item('Status', eventStatusLabels[event.status])}
${item('Score', event.score.toFixed(3))}
${item('Threshold', event.threshold.toFixed(3))}
${item('Distance from normal', `${event.distance.toFixed(1)} robust SD`)}
${item('Session', html`<a href="/sessions/${event.session.id}">${event.session.name}</a>`)}
${item('Device', event.source.deviceId ?? '–')}
${item('Source IP', event.source.ip ?? '–')}
${item('Occurred', formatDate(event.occurredAt))}
${item('Escalated', event.escalatedAt ? formatDate(event.escalatedAt) : 'No')}
</tbody></table>`;
}

function contributionsTable(event: EventDetail): SafeHtml {
  const features = Object.entries(event.contributions).sort(([, a], [, b]) => b - a);
  return html`<table aria-label="Feature contributions">
<thead><tr><th scope="col">Feature</th><th scope="col">Value</th><th scope="col">Share</th></tr></thead>
<tbody>${features.map(
    ([feature, share]) =>
      html`<tr><td>${feature}</td><td class="num">${event.values[feature] ?? '–'}</td><td class="num">${percent(share)}</td></tr>`,
  )}</tbody>
</table>`;
}

function checkButton(principal: Principal, event: EventDetail): SafeHtml {
  if (!can(principal.role, 'alerts', 'write') || !event.source.ip) return html``;
  return html`<form method="post" action="/alerts/${event.id}/enrich" class="inline">${csrfField(principal)}<button type="submit" class="secondary">Check the source IP</button></form>`;
}

function intelligenceSection(principal: Principal, view: AlertPageView): SafeHtml {
  const { intelligence, event } = view;
  if ('unavailable' in intelligence) {
    return html`<p class="alert" role="alert">${intelligence.unavailable}</p>${checkButton(principal, event)}`;
  }
  if ('notChecked' in intelligence) {
    return intelligence.notChecked
      ? html`<p>${intelligence.notChecked} has not been checked yet.</p>${checkButton(principal, event)}`
      : html`<p>The event carries no source IP address, so there is nothing to check.</p>`;
  }
  const { enrichment } = intelligence;
  const item = (label: string, value: string) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return html`<table aria-label="Source reputation" class="summary"><tbody>
${item('Address', enrichment.ip)}
${item('Reputation', enrichment.status === 'not_found' ? 'Not known to the service' : enrichment.reputation)}
${item('Risk score', enrichment.score === null ? '–' : `${enrichment.score} / 100`)}
${item('Categories', enrichment.categories.join(', ') || '–')}
${item('Country', enrichment.country ?? '–')}
${item('Last seen', enrichment.lastSeen ?? '–')}
${item('Checked', formatDate(enrichment.checkedAt))}
</tbody></table>`;
}

function actions(principal: Principal, event: EventDetail): SafeHtml {
  if (!can(principal.role, 'alerts', 'write')) return html``;
  const button = (action: string, label: string, primary = true) =>
    html`<form method="post" action="/alerts/${event.id}/${action}" class="inline">${csrfField(principal)}<button type="submit" class="${primary ? 'primary' : 'secondary'}">${label}</button></form>`;
  return html`<section class="card" aria-labelledby="actions-heading">
<h2 id="actions-heading">Respond</h2>
<div class="controls" role="group" aria-label="Event actions">
${event.status === 'open' ? button('acknowledge', 'Acknowledge') : ''}
${canEscalate(event.status) && !event.escalatedAt ? button('escalate', 'Escalate to PagerDuty', false) : ''}
${event.status === 'acknowledged' ? button('ignore', 'Ignore', false) : ''}
</div>
${
  event.status === 'acknowledged'
    ? html`<form method="post" action="/alerts/${event.id}/resolve" aria-labelledby="resolve-heading" class="stack">
<h3 id="resolve-heading">Resolve</h3>
${csrfField(principal)}
<div class="field"><label for="resolve-note">Resolution note</label>
<textarea id="resolve-note" name="note" rows="2" maxlength="4000"></textarea></div>
<div class="actions"><button type="submit" class="primary">Resolve</button></div>
</form>`
    : ''
}
<form method="post" action="/alerts/${event.id}/notes" aria-labelledby="note-heading" class="stack">
<h3 id="note-heading">Add note</h3>
${csrfField(principal)}
<div class="field"><label for="note-text">Note</label>
<textarea id="note-text" name="text" rows="2" maxlength="4000" required></textarea></div>
<div class="actions"><button type="submit" class="secondary">Add note</button></div>
</form>
</section>`;
}

export function renderAlertPage(principal: Principal, view: AlertPageView): string {
  const { event } = view;
  const title = `${severityLabels[event.severity]} anomaly ${event.streamEventId}`;
  return renderPage({
    title,
    principal,
    content: html`<p class="breadcrumb"><a href="/alerts">Alerts</a></p>
<h1>${title}</h1>
<p class="lead">Status: <span role="status" aria-label="Event status">${eventStatusLabels[event.status]}</span></p>
${problemsAlert('That did not work:', view.problems ?? [])}
${detailsTable(event)}
<section aria-labelledby="contributions-heading">
<h2 id="contributions-heading">Feature contributions</h2>
<p class="hint">Each feature's share of how far the reading lies from normal.</p>
${contributionsTable(event)}
</section>
<section aria-labelledby="intel-heading">
<h2 id="intel-heading">Threat intelligence</h2>
${intelligenceSection(principal, view)}
</section>
${actions(principal, event)}
<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline</h2>
<ol aria-label="Timeline" class="timeline">${event.timeline.map(
      (entry) =>
        html`<li><time datetime="${entry.at}">${formatDate(entry.at)}</time> <strong>${actionWords[entry.action]}</strong>${
          entry.actor ? html` by ${entry.actor.name} (${entry.actor.email})` : ' by the platform'
        }${entry.note ? html`: <q>${entry.note}</q>` : ''}</li>`,
    )}</ol>
</section>`,
  });
}
