/**
 * On a deployment page while the release is under way: polls the deployment and reloads the
 * page once it has settled, so the forms and health that fit the new state appear. Loaded from
 * /assets (the CSP allows no inline script); it only writes text.
 */
const labels: Record<string, string> = {
  pending: 'Pending',
  deploying: 'Deploying',
  deployed: 'Deployed',
  failed: 'Failed',
  superseded: 'Superseded',
  rolling_back: 'Rolling back',
  rolled_back: 'Rolled back',
};
const settled = new Set(['deployed', 'failed', 'superseded', 'rolled_back']);
const pollMs = 400;

const status = document.getElementById('deployment-state');
const id = status?.dataset.deploymentId;

async function poll(): Promise<void> {
  if (!status || !id) return;
  try {
    const response = await fetch(`/api/deployments/${encodeURIComponent(id)}`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (response.ok) {
      const deployment = (await response.json()) as { state: string };
      if (deployment.state !== status.dataset.state) {
        status.dataset.state = deployment.state;
        status.textContent = labels[deployment.state] ?? deployment.state;
      }
      if (settled.has(deployment.state)) {
        window.location.reload();
        return;
      }
    }
  } catch {
    // A network hiccup: the next poll tries again.
  }
  window.setTimeout(poll, pollMs);
}

void poll();
