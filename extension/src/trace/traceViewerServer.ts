import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import send from 'send';
import { openingPage } from './openingPage.ts';

export interface ServedTrace {
  /** `http://127.0.0.1:<port>/<secret>/`: the opening page, which then loads the viewer. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves Playwright's trace viewer web app and one trace on a loopback port.
 *
 * The extension serves it itself instead of `playwright show-trace`: that server answers only
 * requests whose Host is localhost, and behind a remote editor's port proxy (code-server forwards
 * the browser's Host unchanged) every request would be refused. A random first path segment keeps
 * other web pages (DNS rebinding) from reading the trace, whatever Host they send.
 */
export async function serveTrace(viewerAssets: string, tracePath: string): Promise<ServedTrace> {
  const trace = path.resolve(tracePath);
  const prefix = `/${randomUUID()}`;
  // The form `playwright show-trace` uses: the viewer's service worker fetches it from trace/file.
  const viewerPath = `trace/index.html?${new URLSearchParams({ trace: `file?path=${encodeURIComponent(trace)}` })}`;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'Read only.');
    if (!url.pathname.startsWith(`${prefix}/`)) return reply(response, 404, 'Not found.');
    const route = url.pathname.slice(prefix.length);
    if (route === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(openingPage(viewerPath));
    } else if (route === '/trace/file') {
      const requested = url.searchParams.get('path');
      if (!requested || path.resolve(requested) !== trace)
        return reply(response, 403, 'Only the opened trace is served.');
      serveFile(request, response, path.dirname(trace), `/${encodeURIComponent(path.basename(trace))}`);
    } else if (route.startsWith('/trace/')) {
      serveFile(request, response, viewerAssets, route.slice('/trace'.length));
    } else {
      reply(response, 404, 'Not found.');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${prefix}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The viewer keeps its connection open (it pings every few seconds).
        server.closeAllConnections();
      }),
  };
}

/** Streams one file under `root` (send refuses paths that climb out of it). */
function serveFile(request: IncomingMessage, response: ServerResponse, root: string, urlPath: string): void {
  send(request, urlPath, { root, index: false })
    .on('error', (error: { status?: number }) =>
      error.status === 404
        ? reply(response, 404, 'Not found.')
        : reply(response, error.status ?? 500, 'Could not read the file.'),
    )
    .pipe(response);
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
