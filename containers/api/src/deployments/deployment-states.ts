import { conflict } from '../http/api-error.ts';

/**
 * The life of one deployment: it is created `pending`, is `deploying` while its model is fitted
 * and loaded, then serves (`deployed`) or `failed`. A serving deployment leaves service either
 * because a newer release of the same model took its place (`superseded`) or because it was
 * rolled back (`rolling_back` while the previous version is brought back, then `rolled_back`).
 */
export const deploymentStates = [
  'pending',
  'deploying',
  'deployed',
  'failed',
  'superseded',
  'rolling_back',
  'rolled_back',
] as const;
export type DeploymentState = (typeof deploymentStates)[number];

const transitions: Record<DeploymentState, readonly DeploymentState[]> = {
  pending: ['deploying', 'failed'],
  deploying: ['deployed', 'failed'],
  deployed: ['superseded', 'rolling_back'],
  // A rollback whose previous version cannot be brought back leaves the current one serving.
  rolling_back: ['rolled_back', 'deployed'],
  failed: [],
  superseded: [],
  rolled_back: [],
};

export function canMoveDeployment(from: DeploymentState, to: DeploymentState): boolean {
  return transitions[from].includes(to);
}

/** States in which a deployment answers scoring requests. */
export function isServing(state: DeploymentState): boolean {
  return state === 'deployed' || state === 'rolling_back';
}

export function assertDeploymentTransition(from: DeploymentState, to: DeploymentState, action: string): void {
  if (canMoveDeployment(from, to)) return;
  const allowed = deploymentStates.filter((state) => canMoveDeployment(state, to));
  throw conflict(
    `This deployment is ${from}, so it cannot ${action}; that needs a deployment that is ${allowed.join(' or ') || 'in another state'}.`,
  );
}
