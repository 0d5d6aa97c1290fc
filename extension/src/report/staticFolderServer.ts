import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
  '.webm': 'video/webm',
};

export interface ServedFolder {
  /** `http://127.0.0.1:<port>/<random prefix>/` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves one folder read-only on a loopback port: a generated report opened from `file://` cannot
 * load its own scripts in a browser, and a remote editor cannot open `file://` at all. Every URL
 * starts with a random prefix, so another local process or a web page guessing ports cannot
 * read the report; a path that does not decode is refused, not left hanging.
 */
export async function serveFolder(root: string): Promise<ServedFolder> {
  const base = path.resolve(root);
  const prefix = `/${randomBytes(16).toString('hex')}/`;
  const server: Server = createServer(async (request, response) => {
    const rawPath = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!rawPath.startsWith(prefix)) {
      response.writeHead(404).end('Not found.');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(rawPath.slice(prefix.length - 1));
    } catch {
      response.writeHead(400).end('The path is not a valid URL path.');
      return;
    }
    let file = path.join(base, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (file !== base && !file.startsWith(base + path.sep)) {
      response.writeHead(403).end('Outside the served folder.');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      await stat(file);
    } catch {
      response.writeHead(404).end('Not found.');
      return;
    }
    response.writeHead(200, {
      'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
