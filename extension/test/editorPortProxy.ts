import { createServer, request as forward } from 'node:http';

export interface EditorPortProxy {
  /** The editor's origin, e.g. `http://127.0.0.1:1234/`. */
  readonly url: string;
  /** What a remote editor's `asExternalUri` makes of a loopback URL: the same path under /proxy/<port>/. */
  externalUri(local: string): string;
  close(): Promise<void>;
}

/**
 * Stands in for code-server's port forwarding, the setting where the trace viewer used to hang:
 * every forwarded port shares the editor's origin under `/proxy/<port>/`, and the editor's own
 * service worker (scope `/`, claiming every page, no fetch handling) controls every page there.
 * Requests are forwarded with the browser's Host header, as code-server does.
 */
export async function startEditorPortProxy(): Promise<EditorPortProxy> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!DOCTYPE html><title>Editor</title><script>navigator.serviceWorker.register('/editor-sw.js')</script>`,
      );
      return;
    }
    if (url.pathname === '/editor-sw.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(
        `self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', () => {});`,
      );
      return;
    }
    const proxied = url.pathname.match(/^\/proxy\/(\d+)(\/.*)$/);
    if (!proxied) {
      response.writeHead(404).end();
      return;
    }
    const upstream = forward(
      {
        host: '127.0.0.1',
        port: Number(proxied[1]),
        path: `${proxied[2]}${url.search}`,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => response.writeHead(502).end(error.message));
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    externalUri: (local) => {
      const { port: localPort, pathname, search } = new URL(local);
      return `${origin}/proxy/${localPort}${pathname}${search}`;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
