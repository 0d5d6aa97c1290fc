import { z } from 'zod';
import { type Role, roles } from '../auth/roles.ts';
import type { Db } from '../db/pool.ts';

export const newUserSchema = z.object({
  email: z.email({ error: 'email must be an email address such as ada@example.com' }),
  name: z.string().trim().min(1).max(200),
  role: z.enum(roles, { error: `role must be one of ${roles.join(', ')}` }),
});

export const roleChangeSchema = z.strictObject({
  role: z.enum(roles, { error: `role must be one of ${roles.join(', ')}` }),
});

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Null when the tenant already has a user with that email (emails are unique per tenant, any case). */
export async function insertUser(
  db: Db,
  tenantId: string,
  input: z.infer<typeof newUserSchema>,
): Promise<User | null> {
  const { rows } = await db.query<User>(
    `INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING id, email, name, role`,
    [tenantId, input.email, input.name, input.role],
  );
  return rows[0] ?? null;
}

export async function findUserByEmail(db: Db, tenantId: string, email: string): Promise<User | null> {
  const { rows } = await db.query<User>(
    'SELECT id, email, name, role FROM users WHERE tenant_id = $1 AND lower(email) = lower($2) AND erased_at IS NULL',
    [tenantId, email],
  );
  return rows[0] ?? null;
}

export async function findUserById(db: Db, tenantId: string, userId: string): Promise<User | null> {
  const { rows } = await db.query<User>(
    'SELECT id, email, name, role FROM users WHERE tenant_id = $1 AND id = $2',
    [tenantId, userId],
  );
  return rows[0] ?? null;
}

export interface Member extends User {
  erasedAt: string | null;
}

/** Everyone in the tenant, erased people under their pseudonym, by name. */
export async function listUsers(db: Db, tenantId: string): Promise<Member[]> {
  const { rows } = await db.query<User & { erased_at: Date | null }>(
    'SELECT id, email, name, role, erased_at FROM users WHERE tenant_id = $1 ORDER BY erased_at NULLS FIRST, lower(name), id',
    [tenantId],
  );
  return rows.map(({ erased_at, ...user }) => ({ ...user, erasedAt: erased_at?.toISOString() ?? null }));
}

/** Gives a (not erased) user another role; answers the user before and after, or null when there is no such user. */
export async function changeRole(
  db: Db,
  tenantId: string,
  userId: string,
  role: Role,
): Promise<{ before: User; after: User } | null> {
  const { rows } = await db.query<User & { previous: Role }>(
    `UPDATE users u SET role = $3 FROM users old
      WHERE u.tenant_id = $1 AND u.id = $2 AND u.erased_at IS NULL AND old.id = u.id
      RETURNING u.id, u.email, u.name, u.role, old.role AS previous`,
    [tenantId, userId, role],
  );
  const row = rows[0];
  if (!row) return null;
  const { previous, ...after } = row;
  return { before: { ...after, role: previous }, after };
}
