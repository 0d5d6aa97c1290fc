/**
 * The live feed on the alerts page: a WebSocket to /api/events/live (the session cookie
 * authenticates it; the server sends only this tenant's events). New anomaly events are added at
 * the top of the table without a reload; status changes update their row. Loaded from /assets
 * (the CSP allows no inline script); it only ever writes text.
 */
interface FeedEvent {
  id: string;
  streamEventId: string;
  sessionId: string;
  severity: string;
  status: string;
  score: number;
  occurredAt: string;
  source: { deviceId: string | null; ip: string | null };
}
type Message =
  | { type: 'ready' }
  | { type: 'anomaly' | 'event.updated'; event: FeedEvent }
  | { type: 'alert' };

const severityLabels: Record<string, string> = {
  info: 'Info',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};
const statusLabels: Record<string, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  ignored: 'Ignored',
};
const reconnectMs = 2_000;
/** Rows kept in the table; older ones stay reachable through the filters and the API. */
const maxRows = 500;

const table = document.getElementById('event-feed') as HTMLTableElement | null;
const body = table?.tBodies[0] ?? null;
const status = document.getElementById('feed-status');
const filter = table?.dataset.statusFilter ?? '';

const formatDate = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function rowFor(event: FeedEvent): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.eventId = event.id;
  const link = document.createElement('a');
  link.href = `/alerts/${encodeURIComponent(event.id)}`;
  link.textContent = event.streamEventId;
  const first = document.createElement('td');
  first.append(link);
  const severity = document.createElement('span');
  severity.className = `badge severity-${event.severity}`;
  severity.textContent = severityLabels[event.severity] ?? event.severity;
  const severityCell = document.createElement('td');
  severityCell.append(severity);
  const statusCell = cell(statusLabels[event.status] ?? event.status);
  statusCell.dataset.cell = 'status';
  const sessionName = document.querySelector(
    `#session-names [data-session-id="${CSS.escape(event.sessionId)}"]`,
  )?.textContent;
  row.append(
    first,
    cell(formatDate(event.occurredAt)),
    severityCell,
    statusCell,
    cell(event.source.deviceId ?? '–'),
    cell(event.source.ip ?? '–'),
    cell(event.score.toFixed(3), 'num'),
    cell(sessionName ?? '–'),
  );
  return row;
}

function onMessage(message: Message): void {
  if (!body) return;
  if (message.type === 'ready') {
    if (status) status.textContent = 'Live';
    return;
  }
  if (message.type === 'anomaly') {
    if (filter !== '' && filter !== message.event.status) return;
    if (body.querySelector(`tr[data-event-id="${CSS.escape(message.event.id)}"]`)) return;
    body.prepend(rowFor(message.event));
    while (body.rows.length > maxRows) body.deleteRow(-1);
    return;
  }
  if (message.type === 'event.updated') {
    const cellElement = body.querySelector(
      `tr[data-event-id="${CSS.escape(message.event.id)}"] td[data-cell="status"]`,
    );
    if (cellElement) cellElement.textContent = statusLabels[message.event.status] ?? message.event.status;
  }
}

function connect(): void {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${window.location.host}/api/events/live`);
  socket.addEventListener('message', (event) => {
    try {
      onMessage(JSON.parse(String(event.data)) as Message);
    } catch {
      // Not a message of ours: ignore it rather than break the feed.
    }
  });
  socket.addEventListener('close', (event) => {
    // 4000–4999: the platform ended the feed (signed out, role changed, …); reconnecting would not
    // help, so the page says why and stays closed.
    if (event.code >= 4000 && event.code <= 4999) {
      if (status) status.textContent = `Closed: ${event.reason}`;
      return;
    }
    if (status) status.textContent = 'Reconnecting…';
    window.setTimeout(connect, reconnectMs);
  });
}

if (body) connect();
