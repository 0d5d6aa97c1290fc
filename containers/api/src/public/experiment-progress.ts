/**
 * Live progress on the experiment page: polls the experiment, moves the progress bar and the
 * status without a reload, then fills the leaderboard when the runs are done. Loaded from
 * /assets (the CSP allows no inline script), it only ever writes text, never markup.
 */
interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
}
interface Run {
  id: string;
  algorithm: string;
  status: string;
  error: string | null;
}
interface Experiment {
  status: 'queued' | 'running' | 'completed' | 'failed';
  progress: number;
  jobId: string;
  runs: Run[];
}
interface Entry {
  rank: number;
  runId: string;
  algorithm: string;
  params: Record<string, number>;
  metrics: Metrics | null;
  anomalies: number | null;
}

const labels: Record<string, string> = {
  isolation_forest: 'Isolation Forest',
  lof: 'Local Outlier Factor',
  robust_zscore: 'Robust z-score',
  knn: 'k-NN distance',
};
const statusText: Record<Experiment['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
};
const pollMs = 250;

const metric = (value: number | undefined) =>
  typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : '–';

function cell(text: string, numeric = false): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (numeric) td.className = 'num';
  return td;
}

function renderLeaderboard(entries: Entry[]): void {
  const body = document.querySelector('#leaderboard tbody');
  if (!body) return;
  const rows = entries.map((entry) => {
    const tr = document.createElement('tr');
    const algorithm = document.createElement('td');
    const link = document.createElement('a');
    link.href = `/runs/${entry.runId}`;
    link.textContent = labels[entry.algorithm] ?? entry.algorithm;
    const params = document.createElement('span');
    params.className = 'params';
    params.textContent = Object.entries(entry.params)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ');
    algorithm.append(link, ' ', params);
    tr.append(
      cell(String(entry.rank), true),
      algorithm,
      cell(metric(entry.metrics?.f1), true),
      cell(metric(entry.metrics?.precision), true),
      cell(metric(entry.metrics?.recall), true),
      cell(metric(entry.metrics?.rocAuc), true),
      cell(entry.anomalies === null ? '–' : String(entry.anomalies), true),
    );
    return tr;
  });
  body.replaceChildren(...rows);
  const empty = document.getElementById('leaderboard-empty');
  if (empty) {
    empty.hidden = entries.length > 0;
    empty.textContent = 'No run completed.';
  }
}

function renderFailedRuns(runs: Run[]): void {
  const list = document.getElementById('failed-runs');
  if (!list) return;
  list.replaceChildren(
    ...runs
      .filter((run) => run.status === 'failed')
      .map((run) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = `/runs/${run.id}`;
        link.textContent = labels[run.algorithm] ?? run.algorithm;
        item.append(link, ` failed: ${run.error ?? 'unknown error'}`);
        return item;
      }),
  );
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

async function follow(bar: HTMLProgressElement, status: HTMLElement): Promise<void> {
  const id = bar.dataset.experimentId;
  const rankBy = bar.dataset.metric ?? 'f1';
  if (!id) return;
  for (;;) {
    let experiment: Experiment;
    try {
      experiment = await getJson<Experiment>(`/api/experiments/${id}`);
    } catch {
      // A blip (restart, network): keep the last known state and ask again shortly.
      await new Promise((resolve) => setTimeout(resolve, pollMs * 4));
      continue;
    }
    const done = experiment.status === 'completed' || experiment.status === 'failed';
    const percent = experiment.status === 'completed' ? 100 : Math.round(experiment.progress * 100);
    if (done) {
      const board = await getJson<{ entries: Entry[] }>(
        `/api/experiments/${id}/leaderboard?metric=${encodeURIComponent(rankBy)}`,
      );
      renderLeaderboard(board.entries);
      renderFailedRuns(experiment.runs);
      if (experiment.status === 'failed') {
        const job = await getJson<{ error?: string }>(`/api/jobs/${experiment.jobId}`);
        const alert = document.getElementById('experiment-alert');
        if (alert) {
          alert.textContent = `The experiment failed: ${job.error ?? 'see the runs below.'}`;
          alert.hidden = false;
        }
      }
    }
    // The bar and the status change last, so "Completed" is only shown once the leaderboard is there.
    bar.value = percent;
    bar.setAttribute('aria-valuenow', String(percent));
    bar.dataset.state = experiment.status;
    status.textContent = statusText[experiment.status];
    status.className = `status status-${experiment.status}`;
    if (done) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function autoSubmitRanking(): void {
  for (const select of document.querySelectorAll<HTMLSelectElement>('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form?.requestSubmit());
  }
}

const bar = document.getElementById('experiment-progress');
const status = document.getElementById('experiment-status');
autoSubmitRanking();
if (
  bar instanceof HTMLProgressElement &&
  status &&
  bar.dataset.state !== 'completed' &&
  bar.dataset.state !== 'failed'
) {
  void follow(bar, status);
}
