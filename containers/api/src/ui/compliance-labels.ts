import type { PurgeCounts } from '../compliance/retention-purge.ts';

/** The words of the retention and people pages, kept together so pages and tests agree. */
export const retentionLabels = {
  heading: 'Data retention',
  policyForm: 'Retention policy',
  eventsField: 'Keep stream events for (days)',
  datasetsField: 'Keep datasets for (days)',
  hint: 'Leave a field empty to keep that data forever. Anything older than the limit is deleted by the next purge.',
  save: 'Save policy',
  saved: 'Retention policy saved.',
  purgeForm: 'Purge now',
  purge: 'Purge now',
  currentTable: 'Current policy',
  forever: 'Kept forever',
} as const;

export const peopleLabels = {
  heading: 'People',
  table: 'People',
  erase: (name: string) => `Erase personal data of ${name}`,
  erasedStatus: 'Erased',
  activeStatus: 'Active',
} as const;

export const daysText = (days: number | null) =>
  days === null ? retentionLabels.forever : `${days} day${days === 1 ? '' : 's'}`;

/** "Purged 120 stream events, 7 anomaly events and 2 datasets (…)", or that nothing was old enough. */
export function purgeSummary(counts: PurgeCounts, held: number): string {
  const parts = [
    `${counts.events} stream event${counts.events === 1 ? '' : 's'}`,
    `${counts.anomalyEvents} anomaly event${counts.anomalyEvents === 1 ? '' : 's'}`,
    `${counts.datasets} dataset${counts.datasets === 1 ? '' : 's'} (${counts.datasetRows} rows, ${counts.experiments} experiments, ${counts.runs} runs)`,
  ];
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const heldText =
    held > 0
      ? ` ${held} dataset${held === 1 ? ' is' : 's are'} held: a serving deployment or a running job still needs ${held === 1 ? 'it' : 'them'}.`
      : '';
  return total === 0
    ? `Nothing was old enough to purge.${heldText}`
    : `Purged ${parts.join(', ')}.${heldText}`;
}
