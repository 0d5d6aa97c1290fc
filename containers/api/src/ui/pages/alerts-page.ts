import type { Alert } from '../../alerts/alert-rules-repo.ts';
import type { Principal } from '../../auth/principal.ts';
import type { AnomalyEvent } from '../../events/anomaly-events-repo.ts';
import { type EventStatus, eventStatuses } from '../../events/event-states.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDate } from '../labels.ts';
import { renderPage } from '../layout.ts';
import { eventStatusLabels, percent, severityLabels, stateBadge } from '../operations-labels.ts';

/** One row of the feed; the browser script builds the same row for events that arrive live. */
export function eventRow(event: AnomalyEvent, sessionNames: ReadonlyMap<string, string>): SafeHtml {
  return html`<tr data-event-id="${event.id}">
<td><a href="/alerts/${event.id}">${event.streamEventId}</a></td>
<td>${formatDate(event.occurredAt)}</td>
<td>${stateBadge('severity', event.severity, severityLabels[event.severity])}</td>
<td data-cell="status">${eventStatusLabels[event.status]}</td>
<td>${event.source.deviceId ?? '–'}</td>
<td>${event.source.ip ?? '–'}</td>
<td class="num">${event.score.toFixed(3)}</td>
<td>${sessionNames.get(event.sessionId) ?? '–'}</td>
</tr>`;
}

export function renderAlertsPage(
  principal: Principal,
  view: {
    events: { items: AnomalyEvent[]; total: number };
    sessionNames: ReadonlyMap<string, string>;
    status: EventStatus | null;
    alerts: Alert[];
  },
): string {
  return renderPage({
    title: 'Alerts',
    principal,
    scripts: ['alert-feed.js'],
    content: html`<h1>Alerts</h1>
<p class="lead">Anomaly events appear here as the streams raise them. Live feed: <span role="status" aria-label="Live feed" id="feed-status">Connecting…</span></p>
<form method="get" action="/alerts" class="inline" aria-label="Filter events">
<label for="filter-status">Status</label>
<select id="filter-status" name="status">
<option value="">All</option>
${eventStatuses.map((status) => html`<option value="${status}"${status === view.status ? html` selected` : ''}>${eventStatusLabels[status]}</option>`)}
</select>
<button type="submit" class="secondary">Show</button>
</form>
<p class="hint">${view.events.total} event${view.events.total === 1 ? '' : 's'}${view.status ? ` ${eventStatusLabels[view.status].toLowerCase()}` : ''}; the newest 100 are listed. <a href="/api/events/export" download="anomaly-events.csv">Export events (CSV)</a></p>
<table aria-label="Anomaly events" id="event-feed" data-status-filter="${view.status ?? ''}">
<thead><tr><th scope="col">Event</th><th scope="col">Occurred</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Device</th><th scope="col">Source IP</th><th scope="col">Score</th><th scope="col">Session</th></tr></thead>
<tbody>${view.events.items.map((event) => eventRow(event, view.sessionNames))}</tbody>
</table>
<ul id="session-names" hidden>${[...view.sessionNames].map(([id, name]) => html`<li data-session-id="${id}">${name}</li>`)}</ul>
<section aria-labelledby="rule-alerts-heading">
<h2 id="rule-alerts-heading">Fired alerts</h2>
${view.alerts.length === 0 ? html`<p class="empty">No alert rule has fired.</p>` : ''}
<table aria-label="Fired alerts">
<thead><tr><th scope="col">Fired</th><th scope="col">Rule</th><th scope="col">Session</th><th scope="col">Anomaly rate</th></tr></thead>
<tbody>${view.alerts.map(
      (alert) =>
        html`<tr><td>${formatDate(alert.firedAt)}</td><td>${alert.ruleName}</td><td><a href="/sessions/${alert.sessionId}">${view.sessionNames.get(alert.sessionId) ?? 'session'}</a></td><td class="num">${percent(alert.anomalyRate)}</td></tr>`,
    )}</tbody>
</table>
</section>`,
  });
}
