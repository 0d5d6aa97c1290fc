import type { Principal } from '../../auth/principal.ts';
import { html } from '../html.ts';
import { renderPage } from '../layout.ts';

export interface HomeSummary {
  datasets: number;
  experiments: number;
  modelVersions: number;
}

export function renderHomePage(principal: Principal, summary: HomeSummary): string {
  const tile = (count: number, label: string, href: string, hint: string) =>
    html`<li class="tile"><a href="${href}"><span class="count">${count}</span> <span class="label">${label}</span></a><p>${hint}</p></li>`;
  return renderPage({
    title: 'Home',
    principal,
    content: html`<h1>Welcome, ${principal.name}</h1>
<p class="lead">${principal.tenant.name} · signed in as ${principal.role.replace('_', ' ')}</p>
<section aria-labelledby="overview-heading">
<h2 id="overview-heading">Overview</h2>
<ul class="tiles">
${tile(summary.datasets, 'Datasets', '/datasets', 'Upload sensor data and inspect its profile.')}
${tile(summary.experiments, 'Experiments', '/experiments', 'Compare detectors on a dataset.')}
${tile(summary.modelVersions, 'Model versions', '/models', 'Registered models and their stages.')}
</ul>
</section>`,
  });
}
