import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/api-error.ts';

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the stylesheet and browser scripts. The directory is read once at start-up into a
 * fixed set, so a request can only ever name one of those files (no path traversal).
 */
export function registerAssetRoutes(app: FastifyInstance, assetsDir: string): void {
  const assets = new Map<string, { body: Buffer; type: string }>();
  let names: string[] = [];
  try {
    names = readdirSync(assetsDir);
  } catch {
    app.log.warn({ assetsDir }, 'no assets directory: pages will render without styles and scripts');
  }
  for (const name of names) {
    const type = contentTypes[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(assetsDir, name)), type });
  }

  app.get(
    '/assets/:name',
    {
      config: {
        doc: {
          summary: 'Stylesheet and browser scripts',
          tag: 'ui',
          auth: 'none',
          responses: { 200: 'the file' },
        },
      },
    },
    async (request, reply) => {
      const asset = assets.get((request.params as { name: string }).name);
      if (!asset) throw notFound('asset');
      return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
    },
  );
}
