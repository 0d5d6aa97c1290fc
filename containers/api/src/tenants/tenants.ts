import { z } from 'zod';
import type { Db } from '../db/pool.ts';

export const integrationsSchema = z.object({
  oidc: z.object({
    issuer: z.url({ error: 'oidc.issuer must be the absolute URL of the identity provider.' }),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  }),
  slackWebhookUrl: z.url().optional(),
  pagerduty: z.object({ routingKey: z.string().min(1), eventsUrl: z.url() }).optional(),
  threatIntel: z.object({ baseUrl: z.url(), apiKey: z.string().min(1) }).optional(),
});
export type Integrations = z.infer<typeof integrationsSchema>;

export const newTenantSchema = z.object({
  slug: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'use 1-63 lowercase letters, digits or dashes, starting with a letter or digit',
    ),
  name: z.string().trim().min(1).max(200),
  integrations: integrationsSchema,
});

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  integrations: Integrations;
}

export interface TenantSummary {
  id: string;
  slug: string;
  name: string;
  status: Tenant['status'];
}

export const summarise = ({ id, slug, name, status }: Tenant): TenantSummary => ({ id, slug, name, status });

const columns = 'id, slug, name, status, integrations';

/** Null when the slug is taken (the unique index decides, so two racing creators cannot both win). */
export async function insertTenant(db: Db, input: z.infer<typeof newTenantSchema>): Promise<Tenant | null> {
  const { rows } = await db.query<Tenant>(
    `INSERT INTO tenants (slug, name, integrations) VALUES ($1, $2, $3)
     ON CONFLICT (slug) DO NOTHING RETURNING ${columns}`,
    [input.slug, input.name, input.integrations],
  );
  return rows[0] ?? null;
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | null> {
  const { rows } = await db.query<Tenant>(`SELECT ${columns} FROM tenants WHERE slug = $1`, [slug]);
  return rows[0] ?? null;
}

export const tenantStatusSchema = z.strictObject({
  status: z.enum(['active', 'suspended'], { error: 'status must be active or suspended' }),
});

/** Suspends or reactivates a tenant; answers it as it now is, or null when there is no such tenant. */
export async function setTenantStatus(db: Db, id: string, status: Tenant['status']): Promise<Tenant | null> {
  const { rows } = await db.query<Tenant>(
    `UPDATE tenants SET status = $2 WHERE id = $1 RETURNING ${columns}`,
    [id, status],
  );
  return rows[0] ?? null;
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | null> {
  const { rows } = await db.query<Tenant>(`SELECT ${columns} FROM tenants WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Tenants whose slug starts with the prefix (every tenant for an empty one), oldest first. */
export async function listTenants(db: Db, slugPrefix: string): Promise<TenantSummary[]> {
  // The prefix is matched literally: LIKE's wildcards cannot occur in a slug, and left() needs none.
  const { rows } = await db.query<TenantSummary>(
    `SELECT id, slug, name, status FROM tenants WHERE left(slug, length($1)) = $1 ORDER BY created_at, slug`,
    [slugPrefix],
  );
  return rows;
}

/** Removes the tenant and, through cascades, all its data; its audit trail stays. */
export async function purgeTenant(db: Db, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM tenants WHERE id = $1', [id]);
  return rowCount === 1;
}
