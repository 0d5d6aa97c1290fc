/**
 * The live part of a streaming session's page: polls the session's metrics every second, writes
 * the counters, and draws the last minute of throughput and p95 latency as two lines. Loaded
 * from /assets (the CSP allows no inline script); it writes text and SVG attributes only.
 */
interface Point {
  at: string;
  events: number;
  p95LatencyMs: number | null;
}
interface Metrics {
  state: string;
  received: number;
  scored: number;
  anomalies: number;
  rejected: number;
  setAside: number;
  eventsPerSecond: number;
  p95LatencyMs: number | null;
  series: Point[];
}

const stateLabels: Record<string, string> = {
  pending: 'Pending',
  active: 'Active',
  paused: 'Paused',
  stopped: 'Stopped',
  error: 'Error',
};
const pollMs = 1_000;
const svgNs = 'http://www.w3.org/2000/svg';
const size = { width: 800, height: 240, left: 40, right: 60, top: 12, bottom: 24 };

const stateElement = document.getElementById('session-state');
const sessionId = stateElement?.dataset.sessionId;
const chart = document.getElementById('session-chart');

function setText(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element && element.textContent !== text) element.textContent = text;
}

function line(points: [number, number][], className: string): SVGPolylineElement {
  const polyline = document.createElementNS(svgNs, 'polyline');
  polyline.setAttribute('class', className);
  polyline.setAttribute('points', points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '));
  return polyline;
}

function label(x: number, y: number, text: string, anchor: 'start' | 'end'): SVGTextElement {
  const element = document.createElementNS(svgNs, 'text');
  element.setAttribute('x', String(x));
  element.setAttribute('y', String(y));
  element.setAttribute('class', 'tick');
  element.setAttribute('text-anchor', anchor);
  element.textContent = text;
  return element;
}

function draw(metrics: Metrics): void {
  if (!chart) return;
  const now = Math.floor(Date.now() / 1000);
  const bySecond = new Map(metrics.series.map((point) => [Math.floor(Date.parse(point.at) / 1000), point]));
  const seconds = Array.from({ length: 60 }, (_, i) => now - 59 + i);
  const events = seconds.map((second) => bySecond.get(second)?.events ?? 0);
  const latencies = seconds.map((second) => bySecond.get(second)?.p95LatencyMs ?? null);
  const maxEvents = Math.max(1, ...events);
  const maxLatency = Math.max(1, ...latencies.map((value) => value ?? 0));
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  const x = (index: number) => size.left + (index / 59) * plotWidth;
  const y = (value: number, max: number) => size.top + plotHeight - (value / max) * plotHeight;

  const summary = document.createElementNS(svgNs, 'desc');
  summary.id = 'session-chart-summary';
  summary.textContent = `Last minute: ${metrics.eventsPerSecond.toFixed(1)} events per second now, up to ${maxEvents} in one second; p95 latency ${
    metrics.p95LatencyMs === null ? 'not measured yet' : `${Math.round(metrics.p95LatencyMs)} ms`
  }.`;
  const axis = document.createElementNS(svgNs, 'line');
  axis.setAttribute('class', 'axis');
  axis.setAttribute('x1', String(size.left));
  axis.setAttribute('x2', String(size.width - size.right));
  axis.setAttribute('y1', String(size.top + plotHeight));
  axis.setAttribute('y2', String(size.top + plotHeight));
  const latencyPoints = latencies.flatMap((value, index): [number, number][] =>
    value === null ? [] : [[x(index), y(value, maxLatency)]],
  );
  chart.replaceChildren(
    summary,
    axis,
    line(
      events.map((value, index) => [x(index), y(value, maxEvents)]),
      'series rate',
    ),
    line(latencyPoints, 'series latency'),
    label(size.left - 4, size.top + 10, String(maxEvents), 'end'),
    label(size.width - size.right + 4, size.top + 10, `${Math.round(maxLatency)} ms`, 'start'),
    label(size.left, size.height - 6, '−60 s', 'start'),
    label(size.width - size.right, size.height - 6, 'now', 'end'),
  );
}

async function poll(): Promise<void> {
  if (!sessionId) return;
  try {
    const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/metrics`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (response.ok) {
      const metrics = (await response.json()) as Metrics;
      setText('session-state', stateLabels[metrics.state] ?? metrics.state);
      setText('metric-received', String(metrics.received));
      setText('metric-scored', String(metrics.scored));
      setText('metric-anomalies', String(metrics.anomalies));
      setText('metric-rejected', String(metrics.rejected));
      setText('metric-set-aside', String(metrics.setAside));
      setText('metric-rate', metrics.eventsPerSecond.toFixed(1));
      setText(
        'metric-latency',
        metrics.p95LatencyMs === null ? '–' : `${Math.round(metrics.p95LatencyMs)} ms`,
      );
      draw(metrics);
    }
  } catch {
    // A network hiccup: the next poll tries again.
  }
  window.setTimeout(poll, pollMs);
}

void poll();
