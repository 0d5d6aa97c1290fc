import path from 'node:path';
import { expect, test } from '@playwright/test';
import { journeyLabels } from '../../fixtures/reporting/journey-labels.ts';

const root = path.resolve('/repo');
const file = (...parts: string[]) => path.join(root, ...parts);

test.describe('journeyLabels', () => {
  test('takes the persona from the folder and the journey from the file name', () => {
    expect(
      journeyLabels({
        file: file('journeys', 'data-scientist', 'finds-best-detector.journey.ts'),
        rootDir: root,
        title: 'finds the best detector for a new sensor dataset',
        tags: ['@e2e', '@data-scientist'],
      }),
    ).toEqual({
      epic: 'Data scientist',
      feature: 'Finds best detector',
      story: 'finds the best detector for a new sensor dataset',
      severity: 'normal',
      owner: 'Data scientist',
    });
  });

  for (const [tag, severity] of [
    ['@smoke', 'critical'],
    ['@security', 'critical'],
    ['@resilience', 'normal'],
  ] as const) {
    test(`rates ${tag} journeys ${severity}`, () => {
      const labels = journeyLabels({
        file: file('journeys', 'security-analyst', 'probes-defences.journey.ts'),
        rootDir: root,
        title: 't',
        tags: ['@e2e', tag],
      });
      expect(labels?.severity).toBe(severity);
      expect(labels?.epic).toBe('Security analyst');
    });
  }

  test('leaves unit tests, the audit and stray files unlabelled', () => {
    expect(
      journeyLabels({ file: file('tests', 'unit', 'data-csv.test.ts'), rootDir: root, title: 't', tags: [] }),
    ).toBeUndefined();
    expect(
      journeyLabels({
        file: file('tests', 'audit', 'no-secrets.audit.ts'),
        rootDir: root,
        title: 't',
        tags: [],
      }),
    ).toBeUndefined();
    expect(
      journeyLabels({
        file: file('journeys', 'data-scientist', 'notes.ts'),
        rootDir: root,
        title: 't',
        tags: [],
      }),
    ).toBeUndefined();
    expect(
      journeyLabels({ file: file('journeys', 'x.journey.ts'), rootDir: root, title: 't', tags: [] }),
    ).toBeUndefined();
  });
});
