/**
 * Rows scored through the API since the process started, by where: a small batch on the event
 * loop (cheaper than a hand-over), a large one on a scoring thread. /metrics reports both, so an
 * operator can see that large batches never ran where every other request waits.
 */
export class ScoredRows {
  onEventLoop = 0;
  onScoringThreads = 0;

  metricLines(): string[] {
    return [
      '# HELP scored_rows_total Rows scored through the API since the process started, by where they were scored.',
      '# TYPE scored_rows_total counter',
      `scored_rows_total{on="event_loop"} ${this.onEventLoop}`,
      `scored_rows_total{on="scoring_thread"} ${this.onScoringThreads}`,
    ];
  }
}
