import type { Role } from './roles.ts';

/** Who is making a request, resolved from a session cookie or an API key. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  role: Role;
  tenant: { id: string; slug: string; name: string };
  via: 'session' | 'api_key';
  /** Only for sessions: the token forms and cookie-authenticated API writes must echo back. */
  csrfToken: string | null;
  /** The credential presented: the session id's hash or the API key's id, so it can be revoked by name. */
  credential: { id: string; expiresAt: Date | null };
}

export interface PrincipalRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  tenant_id: string;
  tenant_slug: string;
  tenant_name: string;
}

export function principalFromRow(
  row: PrincipalRow,
  via: Principal['via'],
  csrfToken: string | null,
  credential: Principal['credential'],
): Principal {
  return {
    userId: row.user_id,
    email: row.email,
    name: row.name,
    role: row.role,
    tenant: { id: row.tenant_id, slug: row.tenant_slug, name: row.tenant_name },
    via,
    csrfToken,
    credential,
  };
}

/** Keeps an email recognisable in logs without writing it out: "jo***@example.com". */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 2)}***@${domain}`;
}
