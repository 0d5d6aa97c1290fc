import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import {
  discover,
  exchangeCode,
  IdpUnavailableError,
  SignInRejectedError,
  startSignIn,
  verifyIdToken,
} from '../auth/oidc.ts';
import { maskEmail } from '../auth/principal.ts';
import { createSession, deleteSession } from '../auth/sessions.ts';
import { wasErased } from '../compliance/erasure.ts';
import type { AppContext } from '../context.ts';
import { withSystem, withTenant } from '../db/pool.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { findTenantBySlug, type Tenant } from '../tenants/tenants.ts';
import { findUserByEmail } from '../tenants/users.ts';
import { isSignInProblem, renderLoginPage, type SignInProblem } from '../ui/pages/login-page.ts';

const transactionCookie = (state: string) => `oidc_${state}`;
const transactionSchema = z.object({ slug: z.string(), nonce: z.string(), verifier: z.string() });
const loginTransactionSeconds = 600;

/** Problems that say something about the credentials presented, which the throttle counts. */
const credentialProblems = new Set<SignInProblem>([
  'idp_invalid',
  'idp_refused',
  'unknown_account',
  'erased',
]);

function baseUrl(ctx: AppContext, request: FastifyRequest): string {
  return ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

const isSecure = (ctx: AppContext, request: FastifyRequest) =>
  request.protocol === 'https' || (ctx.config.publicUrl?.startsWith('https://') ?? false);

async function tenantForSlug(ctx: AppContext, slug: string): Promise<Tenant> {
  const tenant = /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)
    ? await withSystem(ctx.pool, (db) => findTenantBySlug(db, slug))
    : null;
  if (!tenant) throw notFound('organisation');
  return tenant;
}

/**
 * Sign-in through the tenant's identity provider (authorization code + PKCE, state, nonce),
 * sign-out, and the sign-in page. Failures never crash: they land on the sign-in page with a
 * plain explanation, are written to the audit log, and repeated ones are throttled.
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const throttleKey = (request: FastifyRequest, slug: string) => `${request.ip}|${slug}`;

  const assertNotThrottled = (request: FastifyRequest, slug: string) => {
    const wait = ctx.signInThrottle.retryAfterSeconds(throttleKey(request, slug));
    if (wait > 0) {
      throw new ApiError(
        'rate_limited',
        `Too many failed sign-in attempts; wait ${wait} seconds before trying again.`,
        [{ retryAfterSeconds: wait }],
        { 'retry-after': String(wait) },
      );
    }
  };

  const fail = async (
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    problem: SignInProblem,
    detail: string,
    email?: string,
  ) => {
    if (credentialProblems.has(problem)) ctx.signInThrottle.recordFailure(throttleKey(request, tenant.slug));
    request.log.warn(
      { tenant: tenant.slug, problem, detail, user: email?.includes('@') ? maskEmail(email) : email },
      'sign-in failed',
    );
    await withTenant(ctx.pool, tenant.id, (db) =>
      recordAudit(db, tenant.id, {
        action: 'auth.sign_in',
        outcome: 'failure',
        actorEmail: email ?? null,
        ip: request.ip,
        details: { reason: problem },
      }),
    );
    return reply.redirect(`/login/${encodeURIComponent(tenant.slug)}?error=${problem}`, 303);
  };

  app.get(
    '/login/:tenantSlug',
    {
      config: {
        doc: {
          summary: 'Sign-in page of a tenant',
          tag: 'ui',
          auth: 'none',
          responses: { 200: 'page', 404: 'no such tenant' },
        },
      },
    },
    async (request, reply) => {
      const tenant = await tenantForSlug(ctx, (request.params as { tenantSlug: string }).tenantSlug);
      const error = (request.query as { error?: unknown }).error;
      const problem = isSignInProblem(error) ? error : tenant.status === 'suspended' ? 'suspended' : null;
      return reply.type('text/html; charset=utf-8').send(renderLoginPage(tenant, problem));
    },
  );

  app.get(
    '/auth/sso/:tenantSlug',
    {
      config: {
        rateLimit: limits.signIn,
        doc: {
          summary: 'Start SSO: redirect to the identity provider',
          tag: 'auth',
          auth: 'none',
          query: z.object({ login_hint: z.string().optional() }),
          responses: {
            302: 'to the identity provider',
            303: 'back to the sign-in page with a problem',
            429: 'throttled',
          },
        },
      },
    },
    async (request, reply) => {
      const tenant = await tenantForSlug(ctx, (request.params as { tenantSlug: string }).tenantSlug);
      if (tenant.status !== 'active') return reply.redirect(`/login/${tenant.slug}?error=suspended`, 303);
      assertNotThrottled(request, tenant.slug);
      const oidc = tenant.integrations.oidc;
      let metadata: Awaited<ReturnType<typeof discover>>;
      try {
        metadata = await discover(oidc.issuer, ctx.config.oidcTimeoutMs);
      } catch (error) {
        if (error instanceof IdpUnavailableError || error instanceof SignInRejectedError) {
          return fail(request, reply, tenant, 'idp_unavailable', error.message);
        }
        throw error;
      }
      const loginHint = (request.query as { login_hint?: unknown }).login_hint;
      const start = startSignIn(metadata, {
        clientId: oidc.clientId,
        redirectUri: `${baseUrl(ctx, request)}/auth/callback`,
        loginHint: typeof loginHint === 'string' && loginHint.length <= 320 ? loginHint : undefined,
      });
      reply.setCookie(
        transactionCookie(start.state),
        JSON.stringify({ slug: tenant.slug, nonce: start.nonce, verifier: start.codeVerifier }),
        {
          path: '/auth/callback',
          httpOnly: true,
          sameSite: 'lax',
          secure: isSecure(ctx, request),
          maxAge: loginTransactionSeconds,
          signed: true,
        },
      );
      return reply.redirect(start.authorizationUrl, 302);
    },
  );

  app.get(
    '/auth/callback',
    {
      config: {
        doc: {
          summary: 'SSO callback: exchange the code, verify the ID token, start a session',
          tag: 'auth',
          auth: 'none',
          query: z.object({
            code: z.string().optional(),
            state: z.string().optional(),
            error: z.string().optional(),
          }),
          responses: {
            302: 'signed in, to /',
            303: 'back to the sign-in page with a problem',
            429: 'throttled',
          },
        },
      },
    },
    async (request, reply) => {
      const query = request.query as { code?: unknown; state?: unknown; error?: unknown };
      const state =
        typeof query.state === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(query.state) ? query.state : null;
      const raw = state ? request.cookies[transactionCookie(state)] : undefined;
      const unsigned = raw ? request.unsignCookie(raw) : null;
      let transaction: z.infer<typeof transactionSchema> | null = null;
      if (unsigned?.valid && unsigned.value) {
        try {
          const parsed = transactionSchema.safeParse(JSON.parse(unsigned.value));
          transaction = parsed.success ? parsed.data : null;
        } catch {
          transaction = null;
        }
      }
      if (!state || !transaction) {
        throw new ApiError(
          'validation_failed',
          "This sign-in attempt expired or was not started here; go back to your organisation's sign-in page and start again.",
        );
      }
      reply.clearCookie(transactionCookie(state), { path: '/auth/callback' });

      const tenant = await tenantForSlug(ctx, transaction.slug);
      if (tenant.status !== 'active') return reply.redirect(`/login/${tenant.slug}?error=suspended`, 303);
      assertNotThrottled(request, tenant.slug);
      if (typeof query.error === 'string')
        return fail(request, reply, tenant, 'idp_refused', `provider said ${query.error}`);
      if (typeof query.code !== 'string' || query.code.length === 0) {
        return fail(request, reply, tenant, 'idp_invalid', 'no authorization code');
      }

      const oidc = tenant.integrations.oidc;
      let identity: { email: string };
      try {
        const metadata = await discover(oidc.issuer, ctx.config.oidcTimeoutMs);
        const idToken = await exchangeCode(
          metadata,
          {
            code: query.code,
            redirectUri: `${baseUrl(ctx, request)}/auth/callback`,
            clientId: oidc.clientId,
            clientSecret: oidc.clientSecret,
            codeVerifier: transaction.verifier,
          },
          ctx.config.oidcTimeoutMs,
        );
        identity = await verifyIdToken(
          idToken,
          {
            jwksUri: metadata.jwks_uri,
            issuer: metadata.issuer,
            clientId: oidc.clientId,
            nonce: transaction.nonce,
          },
          ctx.config.oidcTimeoutMs,
        );
      } catch (error) {
        if (error instanceof IdpUnavailableError)
          return fail(request, reply, tenant, 'idp_unavailable', error.message);
        if (error instanceof SignInRejectedError)
          return fail(request, reply, tenant, 'idp_invalid', error.message);
        throw error;
      }

      const user = await withSystem(ctx.pool, (db) => findUserByEmail(db, tenant.id, identity.email));
      if (!user) {
        // An erased person is told why, and recorded under a marker instead of the email they gave.
        if (await withSystem(ctx.pool, (db) => wasErased(db, tenant.id, identity.email))) {
          return fail(request, reply, tenant, 'erased', 'account erased', 'erased-user');
        }
        return fail(request, reply, tenant, 'unknown_account', 'no such user', identity.email);
      }

      const session = await withTenant(ctx.pool, tenant.id, async (db) => {
        const created = await createSession(db, tenant.id, user.id, ctx.config.sessionTtlMinutes);
        await recordAudit(db, tenant.id, {
          action: 'auth.sign_in',
          outcome: 'success',
          actorId: user.id,
          actorEmail: user.email,
          targetType: 'user',
          targetId: user.id,
          ip: request.ip,
        });
        return created;
      });
      const secure = isSecure(ctx, request);
      reply.setCookie('sid', session.sid, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        expires: session.expiresAt,
      });
      // Remembers which sign-in page to offer when the session has ended; not a credential.
      reply.setCookie('tenant', tenant.slug, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: 365 * 24 * 3600,
      });
      request.log.info({ tenant: tenant.slug, userId: user.id }, 'signed in');
      return reply.redirect('/', 302);
    },
  );

  app.post(
    '/logout',
    {
      config: {
        rateLimit: limits.writes,
        doc: {
          summary: 'Sign out',
          tag: 'auth',
          auth: 'session',
          bodyType: 'application/x-www-form-urlencoded',
          responses: { 303: 'to the sign-in page' },
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const sid = request.cookies.sid;
      if (sid) await deleteSession(ctx.pool, sid);
      if (principal) {
        ctx.operations.feed.revoke(
          principal.tenant.id,
          { credentialId: principal.credential.id },
          feedClosures.signedOut,
        );
        await withTenant(ctx.pool, principal.tenant.id, (db) =>
          recordAudit(db, principal.tenant.id, {
            action: 'auth.sign_out',
            outcome: 'success',
            actorId: principal.userId,
            actorEmail: principal.email,
            ip: request.ip,
          }),
        );
      }
      reply.clearCookie('sid', { path: '/' });
      const slug = principal?.tenant.slug ?? request.cookies.tenant;
      return reply.redirect(slug ? `/login/${encodeURIComponent(slug)}` : '/', 303);
    },
  );
}
