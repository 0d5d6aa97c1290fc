import type { FastifyRequest } from 'fastify';
import type { ApiError } from '../../http/api-error.ts';
import { html } from '../html.ts';
import { renderPage } from '../layout.ts';

const headings: Record<number, string> = {
  400: 'That did not work',
  401: 'Sign in required',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'Not allowed here',
  409: 'That conflicts with the current state',
  413: 'Too large',
  415: 'Unsupported file type',
  429: 'Too many attempts',
};

/** The HTML face of an ApiError: the same plain sentence, in a page with a way back. */
export function renderErrorPage(request: FastifyRequest, error: ApiError): string {
  const tenantSlug = request.cookies?.tenant;
  const next =
    error.statusCode === 401 && tenantSlug
      ? html`<p><a href="/login/${encodeURIComponent(tenantSlug)}">Sign in</a></p>`
      : html`<p><a href="/">Go to the home page</a></p>`;
  return renderPage({
    title: headings[error.statusCode] ?? 'Something went wrong',
    principal: request.principal ?? null,
    content: html`<h1>${headings[error.statusCode] ?? 'Something went wrong'}</h1>
<p role="alert" class="alert">${error.message}</p>
${next}`,
  });
}
