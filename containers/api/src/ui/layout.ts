import { csrfFieldName } from '../auth/csrf.ts';
import type { Principal } from '../auth/principal.ts';
import { can } from '../auth/roles.ts';
import { html, type SafeHtml } from './html.ts';

export interface PageOptions {
  title: string;
  principal: Principal | null;
  content: SafeHtml;
  /** Script names under /assets/ (no inline scripts: the CSP forbids them). */
  scripts?: string[];
}

export const csrfField = (principal: Principal | null) =>
  principal?.csrfToken
    ? html`<input type="hidden" name="${csrfFieldName}" value="${principal.csrfToken}">`
    : html``;

function header(principal: Principal | null): SafeHtml {
  if (!principal) {
    return html`<header class="topbar"><span class="brand">Anomaly Platform</span></header>`;
  }
  return html`<header class="topbar">
  <a class="brand" href="/">Anomaly Platform</a>
  <nav aria-label="Main">
    <ul>
      <li><a href="/datasets">Datasets</a></li>
      <li><a href="/experiments">Experiments</a></li>
      <li><a href="/models">Models</a></li>
      <li><a href="/deployments">Deployments</a></li>
      <li><a href="/sessions">Streaming</a></li>
      <li><a href="/alerts">Alerts</a></li>
      ${can(principal.role, 'audit', 'read') ? html`<li><a href="/audit">Audit log</a></li>` : ''}
      ${can(principal.role, 'admin', 'write') ? html`<li><a href="/settings/retention">Data retention</a></li><li><a href="/settings/people">People</a></li>` : ''}
    </ul>
  </nav>
  <div class="account">
    <span class="who">${principal.name} · ${principal.tenant.name} · <span class="role">${principal.role}</span></span>
    <form method="post" action="/logout" class="inline">${csrfField(principal)}<button type="submit" class="link">Sign out</button></form>
  </div>
</header>`;
}

export function renderPage(options: PageOptions): string {
  const scripts = (options.scripts ?? []).map((name) => html`<script src="/assets/${name}" defer></script>`);
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Anomaly Platform</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
${scripts}
</head>
<body>
${header(options.principal)}
<main id="main">
${options.content}
</main>
</body>
</html>`.value
  }`;
}
