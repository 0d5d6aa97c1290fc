import type { DeploymentState } from '../deployments/deployment-states.ts';
import type { EventStatus } from '../events/event-states.ts';
import type { Severity } from '../events/severity.ts';
import type { SessionState } from '../streaming/session-states.ts';
import { html, type SafeHtml } from './html.ts';

/** What people read for the states and levels the API names in snake case. */
export const deploymentStateLabels: Record<DeploymentState, string> = {
  pending: 'Pending',
  deploying: 'Deploying',
  deployed: 'Deployed',
  failed: 'Failed',
  superseded: 'Superseded',
  rolling_back: 'Rolling back',
  rolled_back: 'Rolled back',
};

export const sessionStateLabels: Record<SessionState, string> = {
  pending: 'Pending',
  active: 'Active',
  paused: 'Paused',
  stopped: 'Stopped',
  error: 'Error',
};

export const eventStatusLabels: Record<EventStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  ignored: 'Ignored',
};

export const severityLabels: Record<Severity, string> = {
  info: 'Info',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export const environmentLabels = { staging: 'Staging', production: 'Production' } as const;

export const percent = (share: number | null) => (share === null ? '–' : `${(share * 100).toFixed(1)}%`);
export const milliseconds = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`);

/** A state as a badge; the class lets the stylesheet colour it, the text carries the meaning. */
export const stateBadge = (kind: string, state: string, label: string): SafeHtml =>
  html`<span class="badge ${kind}-${state}">${label}</span>`;

/** Problems above a form, in words, as every form of the platform shows them. */
export function problemsAlert(intro: string, problems: readonly string[]): SafeHtml {
  if (problems.length === 0) return html``;
  return html`<div role="alert" class="alert"><p>${intro}</p><ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>`;
}
