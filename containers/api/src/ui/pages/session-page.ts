import type { Alert, AlertRule } from '../../alerts/alert-rules-repo.ts';
import type { Principal } from '../../auth/principal.ts';
import { can } from '../../auth/roles.ts';
import type { SessionMetrics } from '../../streaming/session-service.ts';
import { nextSessionState, type SessionAction, sessionActions } from '../../streaming/session-states.ts';
import type { StreamSession } from '../../streaming/sessions-repo.ts';
import type { SetAsideEvent } from '../../streaming/set-aside-repo.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDate } from '../labels.ts';
import { csrfField, renderPage } from '../layout.ts';
import { milliseconds, percent, problemsAlert, sessionStateLabels } from '../operations-labels.ts';

export interface RuleFormValues {
  name: string;
  threshold: string;
  windowSeconds: string;
  minEvents: string;
}

export const defaultRuleForm: RuleFormValues = {
  name: '',
  threshold: '20',
  windowSeconds: '60',
  minEvents: '20',
};

export interface SessionPageView {
  session: StreamSession;
  metrics: SessionMetrics;
  rules: AlertRule[];
  alerts: Alert[];
  /** The newest set-aside events, and how many there are in all. */
  setAside: { items: SetAsideEvent[]; total: number };
  problems?: string[];
  rule?: RuleFormValues;
  ruleProblems?: string[];
}

const actionLabels: Record<SessionAction, string> = {
  start: 'Start',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
};

function controls(principal: Principal, session: StreamSession): SafeHtml {
  if (!can(principal.role, 'streaming', 'write')) return html``;
  const allowed = sessionActions.filter((action) => nextSessionState(session.state, action) !== null);
  if (allowed.length === 0) return html``;
  return html`<div class="controls" role="group" aria-label="Session controls">${allowed.map(
    (action) =>
      html`<form method="post" action="/sessions/${session.id}/${action}" class="inline">${csrfField(principal)}<button type="submit" class="${action === 'stop' ? 'secondary' : 'primary'}">${actionLabels[action]}</button></form>`,
  )}</div>`;
}

function metricsTable(metrics: SessionMetrics): SafeHtml {
  const item = (label: string, id: string, value: string) =>
    html`<tr><th scope="row">${label}</th><td class="num" id="${id}">${value}</td></tr>`;
  return html`<table aria-label="Live metrics" class="summary"><tbody>
${item('Received', 'metric-received', String(metrics.received))}
${item('Scored', 'metric-scored', String(metrics.scored))}
${item('Anomalies', 'metric-anomalies', String(metrics.anomalies))}
${item('Rejected', 'metric-rejected', String(metrics.rejected))}
${item('Set aside', 'metric-set-aside', String(metrics.setAside))}
${item('Events per second', 'metric-rate', metrics.eventsPerSecond.toFixed(1))}
${item('p95 latency', 'metric-latency', milliseconds(metrics.p95LatencyMs))}
</tbody></table>`;
}

function rulesSection(principal: Principal, view: SessionPageView): SafeHtml {
  const { session } = view;
  const values = view.rule ?? defaultRuleForm;
  const rows = view.rules.map(
    (rule) =>
      html`<tr><td>${rule.name}</td><td class="num">${percent(rule.threshold)}</td><td class="num">${rule.windowSeconds} s</td><td class="num">${rule.minEvents}</td><td>${rule.firing ? 'Firing' : 'Quiet'}</td></tr>`,
  );
  return html`<section aria-labelledby="rules-heading">
<h2 id="rules-heading">Alert rules</h2>
${view.rules.length === 0 ? html`<p class="empty">No alert rules. A rule fires when the anomaly rate over its window rises above its threshold.</p>` : ''}
<table aria-label="Alert rules">
<thead><tr><th scope="col">Name</th><th scope="col">Threshold</th><th scope="col">Window</th><th scope="col">Minimum events</th><th scope="col">Now</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${
  can(principal.role, 'streaming', 'write')
    ? html`<form method="post" action="/sessions/${session.id}/alert-rules" aria-labelledby="add-rule-heading" class="stack card">
<h3 id="add-rule-heading">Add alert rule</h3>
${problemsAlert('The rule was not added:', view.ruleProblems ?? [])}
${csrfField(principal)}
<div class="field"><label for="rule-name">Rule name</label>
<input type="text" id="rule-name" name="name" maxlength="200" required value="${values.name}"></div>
<div class="field"><label for="rule-threshold">Anomaly rate threshold (%)</label>
<input type="number" id="rule-threshold" name="threshold" min="0" max="99.9" step="any" required value="${values.threshold}"></div>
<div class="field"><label for="rule-window">Window (seconds)</label>
<input type="number" id="rule-window" name="windowSeconds" min="5" max="86400" step="1" required value="${values.windowSeconds}"></div>
<div class="field"><label for="rule-min">Minimum events</label>
<input type="number" id="rule-min" name="minEvents" min="1" step="1" required value="${values.minEvents}"></div>
<div class="actions"><button type="submit" class="primary">Add rule</button></div>
</form>`
    : ''
}
</section>`;
}

function setAsideSection(setAside: SessionPageView['setAside']): SafeHtml {
  const shown = setAside.items.length;
  return html`<section aria-labelledby="set-aside-heading">
<h2 id="set-aside-heading">Set-aside events</h2>
${
  shown === 0
    ? html`<p class="empty">Nothing set aside. Events that cannot be stored or scored (a NUL character, a time out of range, readings that are not numbers, a payload over the size limit) are listed here with the reason, and the rest of the stream goes on.</p>`
    : html`<p>${shown < setAside.total ? `The newest ${shown} of ${setAside.total}; the API lists them all.` : `${setAside.total} set aside; fix the producer, then publish them again.`}</p>`
}
<table aria-label="Set-aside events">
<thead><tr><th scope="col">Event id</th><th scope="col">Reason</th><th scope="col">Seen</th><th scope="col">Last seen</th></tr></thead>
<tbody>${setAside.items.map(
    (event) =>
      html`<tr><td>${event.eventId === null ? html`<span class="empty">No readable id</span>` : html`<code>${event.eventId}</code>`}</td><td>${event.reason}</td><td class="num">${event.timesSeen === 1 ? 'once' : `${event.timesSeen} times`}</td><td>${formatDate(event.lastSeenAt)}</td></tr>`,
  )}</tbody>
</table>
</section>`;
}

function alertsSection(alerts: Alert[]): SafeHtml {
  const notification = {
    pending: 'Sending',
    sent: 'Sent to Slack',
    failed: 'Slack failed',
    not_configured: 'No Slack set up',
  };
  return html`<section aria-labelledby="fired-heading">
<h2 id="fired-heading">Fired alerts</h2>
${alerts.length === 0 ? html`<p class="empty">No alert has fired.</p>` : ''}
<table aria-label="Fired alerts">
<thead><tr><th scope="col">Fired</th><th scope="col">Rule</th><th scope="col">Anomaly rate</th><th scope="col">Events</th><th scope="col">Notification</th></tr></thead>
<tbody>${alerts.map(
    (alert) =>
      html`<tr><td>${formatDate(alert.firedAt)}</td><td>${alert.ruleName}</td><td class="num">${percent(alert.anomalyRate)}</td><td class="num">${alert.anomalies} of ${alert.events}</td><td>${notification[alert.notification]}</td></tr>`,
  )}</tbody>
</table>
</section>`;
}

export function renderSessionPage(principal: Principal, view: SessionPageView): string {
  const { session, metrics } = view;
  return renderPage({
    title: session.name,
    principal,
    scripts: ['session-dashboard.js'],
    content: html`<p class="breadcrumb"><a href="/sessions">Streaming sessions</a></p>
<h1>${session.name}</h1>
<p class="lead">State: <span role="status" aria-label="Session state" id="session-state" data-session-id="${session.id}">${sessionStateLabels[session.state]}</span> · model ${session.modelName}</p>
${session.error ? html`<p role="alert" class="alert">${session.error}</p>` : ''}
${problemsAlert('That did not work:', view.problems ?? [])}
${controls(principal, session)}
<p><span id="topic-label">MQTT topic</span>: <code aria-labelledby="topic-label">${session.topic}</code></p>
<section aria-labelledby="metrics-heading">
<h2 id="metrics-heading">Live metrics</h2>
${metricsTable(metrics)}
<figure class="throughput">
<svg class="chart" id="session-chart" role="img" aria-label="Throughput and latency" viewBox="0 0 800 240" preserveAspectRatio="none"><desc id="session-chart-summary">No events in the last minute.</desc></svg>
<figcaption><span class="legend rate">Events per second</span> <span class="legend latency">p95 latency (ms)</span>, last 60 seconds</figcaption>
</figure>
</section>
${setAsideSection(view.setAside)}
${rulesSection(principal, view)}
${alertsSection(view.alerts)}`,
  });
}
