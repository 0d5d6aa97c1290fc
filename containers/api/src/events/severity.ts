/**
 * How serious a flagged event is, from how far it lies from the training data's centre in
 * robust standard deviations (see detection/feature-scaling.ts). The detector decides whether an
 * event is anomalous; its distance decides how loudly to say so. A reading 10 robust SDs out is
 * beyond anything a working sensor produces, hence critical.
 */
export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** Lower bounds of the distance for each severity of a flagged event. */
export const severityBounds = { medium: 5, high: 7.5, critical: 10 } as const;

export function severityOf(flagged: boolean, distance: number): Severity {
  if (!flagged) return 'info';
  if (distance >= severityBounds.critical) return 'critical';
  if (distance >= severityBounds.high) return 'high';
  if (distance >= severityBounds.medium) return 'medium';
  return 'low';
}
