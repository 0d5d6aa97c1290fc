/**
 * On a deployment page while the release is under way: polls the deployment, shows its state as
 * it moves, and once it has settled swaps in the page's main content as the server now renders
 * it (health, and the forms that fit the new state). No reload: a navigation of the person's own
 * is never interrupted. Loaded from /assets (the CSP allows no inline script).
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

/** The server's rendering of this page now; parsed, never executed (parsed scripts do not run). */
async function showSettledPage(): Promise<boolean> {
  const response = await fetch(window.location.href, {
    headers: { accept: 'text/html' },
    credentials: 'same-origin',
  });
  if (!response.ok) return false;
  const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
  const main = fresh.querySelector('main');
  const current = document.querySelector('main');
  if (!main || !current) return false;
  current.replaceWith(document.adoptNode(main));
  document.title = fresh.title;
  return true;
}

async function poll(): Promise<void> {
  if (!status || !id) return;
  try {
    const response = await fetch(`/api/deployments/${encodeURIComponent(id)}`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (response.ok) {
      const deployment = (await response.json()) as { state: string };
      if (settled.has(deployment.state) && (await showSettledPage())) return;
      if (deployment.state !== status.dataset.state) {
        status.dataset.state = deployment.state;
        status.textContent = labels[deployment.state] ?? deployment.state;
      }
    }
  } catch {
    // A network hiccup: the next poll tries again.
  }
  window.setTimeout(poll, pollMs);
}

void poll();
