import { html, type SafeHtml } from './html.ts';

const width = 800;
const height = 260;
const pad = { left: 48, right: 12, top: 12, bottom: 28 };
/** Unflagged points drawn at most; every flagged point is always drawn. */
const maxNormalPoints = 1_500;

const fixed = (value: number) => value.toFixed(1);

/**
 * The run's scores as an SVG scatter (row → score). Flagged rows are marked with
 * `data-anomaly="true"`; on large datasets only the unflagged points are thinned out.
 */
export function renderScoreChart(
  scores: readonly number[],
  flags: readonly boolean[],
  threshold: number | null,
): SafeHtml {
  // A loop, not Math.min(...scores): spreading 200,000 arguments overflows the stack.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const score of scores) {
    if (!Number.isFinite(score)) continue;
    if (score < min) min = score;
    if (score > max) max = score;
  }
  if (min > max) {
    min = 0;
    max = 1;
  }
  const span = max - min || 1;
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const x = (index: number) =>
    pad.left + (scores.length <= 1 ? plotWidth / 2 : (index / (scores.length - 1)) * plotWidth);
  const y = (score: number) => pad.top + plotHeight - ((score - min) / span) * plotHeight;

  const normalCount = flags.filter((flag) => !flag).length;
  const stride = Math.max(1, Math.ceil(normalCount / maxNormalPoints));
  let normalSeen = 0;
  const points: SafeHtml[] = [];
  scores.forEach((score, index) => {
    if (!Number.isFinite(score)) return;
    const flagged = flags[index] === true;
    if (!flagged && normalSeen++ % stride !== 0) return;
    points.push(
      html`<circle cx="${fixed(x(index))}" cy="${fixed(y(score))}" r="${flagged ? 3.5 : 2}" class="${flagged ? 'point anomaly' : 'point'}" data-anomaly="${flagged ? 'true' : 'false'}" data-row="${index + 1}"></circle>`,
    );
  });
  const thresholdLine =
    threshold !== null && Number.isFinite(threshold) && threshold >= min && threshold <= max
      ? html`<line class="threshold" x1="${pad.left}" x2="${width - pad.right}" y1="${fixed(y(threshold))}" y2="${fixed(y(threshold))}"></line>`
      : '';
  const flaggedCount = flags.filter(Boolean).length;
  return html`<svg role="img" aria-label="Anomaly scores" viewBox="0 0 ${width} ${height}" class="chart" preserveAspectRatio="xMidYMid meet">
<desc>Score of each of ${scores.length} rows; ${flaggedCount} flagged rows are marked.</desc>
<line class="axis" x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${height - pad.bottom}"></line>
<line class="axis" x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}"></line>
<text class="tick" x="${pad.left - 6}" y="${pad.top + 4}" text-anchor="end">${max.toPrecision(3)}</text>
<text class="tick" x="${pad.left - 6}" y="${height - pad.bottom}" text-anchor="end">${min.toPrecision(3)}</text>
<text class="tick" x="${pad.left}" y="${height - 8}">row 1</text>
<text class="tick" x="${width - pad.right}" y="${height - 8}" text-anchor="end">row ${scores.length}</text>
${thresholdLine}
${points}
</svg>`;
}
