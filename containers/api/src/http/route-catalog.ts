import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { z } from 'zod';

/** What a route says about itself, for the OpenAPI document. */
export interface RouteDoc {
  summary: string;
  /** api, admin, auth, ui, ops */
  tag: 'api' | 'admin' | 'auth' | 'ui' | 'ops';
  /** none: public; bootstrap: admin token; user: session cookie or API key; session: browser only. */
  auth: 'none' | 'bootstrap' | 'user' | 'session';
  body?: z.ZodType;
  query?: z.ZodType;
  bodyType?: 'application/json' | 'multipart/form-data' | 'application/x-www-form-urlencoded';
  /** status → what it means */
  responses: Record<number, string>;
  /** The JSON body of the success answer (the one 2xx status with a body), published in the OpenAPI document and checked before it is sent. */
  returns?: z.ZodType;
  produces?: 'application/json' | 'text/html' | 'text/csv' | 'text/plain' | 'text/css' | 'text/javascript';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

export interface CatalogEntry {
  method: string;
  url: string;
  doc: RouteDoc | undefined;
}

const toPattern = (url: string) =>
  new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);

/**
 * Every route registered on the app, collected as it is registered, so the OpenAPI document
 * cannot forget one and a wrong method can be told apart from a wrong path (405 vs 404).
 */
export class RouteCatalog {
  readonly entries: CatalogEntry[] = [];
  readonly #patterns: { method: string; pattern: RegExp }[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethods[];
      for (const method of methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        this.entries.push({ method, url: route.url, doc: route.config?.doc });
        this.#patterns.push({ method, pattern: toPattern(route.url) });
      }
    });
  }

  /** Methods that the path answers to; empty when no route matches the path at all. */
  allowedMethods(path: string): string[] {
    const methods = this.#patterns.filter((entry) => entry.pattern.test(path)).map((entry) => entry.method);
    return [...new Set(methods)];
  }
}
