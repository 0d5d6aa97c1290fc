import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { matchesBoundIdentity } from '../auth/identity-binding.ts';
import {
  discover,
  exchangeCode,
  IdpUnavailableError,
  SignInRejectedError,
  startSignIn,
  type VerifiedIdentity,
  verifyIdToken,
} from '../auth/oidc.ts';
import { maskEmail } from '../auth/principal.ts';
import { createSession, deleteSession } from '../auth/sessions.ts';
import { claimSignInState, saveSignInState, signInLifetimeSeconds } from '../auth/sign-in-states.ts';
import { wasErased } from '../compliance/erasure.ts';
import type { AppContext } from '../context.ts';
import { withSystem, withTenant } from '../db/pool.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { findTenantById, findTenantBySlug, type Tenant } from '../tenants/tenants.ts';
import { findUserByEmail } from '../tenants/users.ts';
import { isSignInProblem, renderLoginPage, type SignInProblem } from '../ui/pages/login-page.ts';

/**
 * The browser's half of a sign-in under way: a signed cookie named after the state, holding the
 * tenant's slug. It ties the callback to the browser that started the sign-in (the server-side
 * state alone would accept a callback sent from anywhere) and tells the callback's rate limit
 * whose it is before anything is looked up.
 */
const transactionCookie = (state: string) => `oidc_${state}`;
const validState = (value: unknown): string | null =>
  typeof value === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null;

function transactionSlug(request: FastifyRequest): string | null {
  const state = validState((request.query as { state?: unknown } | undefined)?.state);
  const raw = state ? request.cookies[transactionCookie(state)] : undefined;
  const unsigned = raw ? request.unsignCookie(raw) : null;
  return unsigned?.valid && unsigned.value ? unsigned.value : null;
}

/** Problems that say something about the credentials presented, which the throttle counts. */
const credentialProblems = new Set<SignInProblem>([
  'idp_invalid',
  'idp_refused',
  'unknown_account',
  'erased',
  'email_unverified',
  'identity_mismatch',
  'wrong_audience',
  'wrong_nonce',
  'wrong_issuer',
]);

/**
 * Where the identity provider sends people back: only the configured public address. The Host
 * header is the caller's to choose, and a redirect URI built from it would send the code there.
 */
const callbackUrl = (ctx: AppContext): string | undefined =>
  ctx.config.publicUrl ? `${ctx.config.publicUrl}/auth/callback` : undefined;

const notStartedHere = () =>
  new ApiError(
    'validation_failed',
    "This sign-in attempt expired or was not started here; go back to your organisation's sign-in page and start again.",
  );

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
  // Per address and organisation, like starting a sign-in; callbacks without a sign-in of this
  // browser's share one bucket per address.
  const callbackLimit = {
    ...limits.signIn,
    keyGenerator: (request: FastifyRequest) => `${request.ip}|${transactionSlug(request) ?? ''}`,
  };
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
      const redirectUri = callbackUrl(ctx);
      if (!redirectUri) {
        request.log.error('sign-in needs PUBLIC_URL: set it to the address people use to reach the platform');
        return fail(request, reply, tenant, 'not_configured', 'PUBLIC_URL is not set');
      }
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
        redirectUri,
        loginHint: typeof loginHint === 'string' && loginHint.length <= 320 ? loginHint : undefined,
      });
      await saveSignInState(ctx.pool, start.state, {
        tenantId: tenant.id,
        nonce: start.nonce,
        codeVerifier: start.codeVerifier,
      });
      reply.setCookie(transactionCookie(start.state), tenant.slug, {
        path: '/auth/callback',
        httpOnly: true,
        sameSite: 'lax',
        secure: isSecure(ctx, request),
        maxAge: signInLifetimeSeconds,
        signed: true,
      });
      return reply.redirect(start.authorizationUrl, 302);
    },
  );

  app.get(
    '/auth/callback',
    {
      config: {
        rateLimit: callbackLimit,
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
            400: 'the sign-in was not started in this browser',
            429: 'throttled',
          },
        },
      },
    },
    async (request, reply) => {
      const query = request.query as { code?: unknown; state?: unknown; error?: unknown };
      const state = validState(query.state);
      const slug = transactionSlug(request);
      if (!state || !slug) throw notStartedHere();
      reply.clearCookie(transactionCookie(state), { path: '/auth/callback' });
      const claimed = await claimSignInState(ctx.pool, state);
      if (claimed.outcome === 'unknown') throw notStartedHere();
      const tenant = await withSystem(ctx.pool, (db) => findTenantById(db, claimed.tenantId));
      if (!tenant || tenant.slug !== slug) throw notStartedHere();
      // A used or expired state proves nothing about anyone's credentials: refused, recorded,
      // and not counted, or replaying one callback would lock an office out.
      if (claimed.outcome === 'used') return fail(request, reply, tenant, 'replayed', 'state already used');
      if (claimed.outcome === 'expired') return fail(request, reply, tenant, 'expired', 'state expired');
      if (tenant.status !== 'active') return reply.redirect(`/login/${tenant.slug}?error=suspended`, 303);
      assertNotThrottled(request, tenant.slug);
      if (typeof query.error === 'string')
        return fail(request, reply, tenant, 'idp_refused', `provider said ${query.error}`);
      if (typeof query.code !== 'string' || query.code.length === 0) {
        return fail(request, reply, tenant, 'idp_invalid', 'no authorization code');
      }

      const redirectUri = callbackUrl(ctx);
      if (!redirectUri) return fail(request, reply, tenant, 'not_configured', 'PUBLIC_URL is not set');
      const oidc = tenant.integrations.oidc;
      let identity: VerifiedIdentity;
      try {
        const metadata = await discover(oidc.issuer, ctx.config.oidcTimeoutMs);
        const idToken = await exchangeCode(
          metadata,
          {
            code: query.code,
            redirectUri,
            clientId: oidc.clientId,
            clientSecret: oidc.clientSecret,
            codeVerifier: claimed.codeVerifier,
          },
          ctx.config.oidcTimeoutMs,
        );
        identity = await verifyIdToken(
          idToken,
          {
            jwksUri: metadata.jwks_uri,
            issuer: metadata.issuer,
            clientId: oidc.clientId,
            nonce: claimed.nonce,
          },
          ctx.config.oidcTimeoutMs,
        );
      } catch (error) {
        if (error instanceof IdpUnavailableError)
          return fail(request, reply, tenant, 'idp_unavailable', error.message);
        if (error instanceof SignInRejectedError)
          return fail(request, reply, tenant, error.problem, error.message);
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
      const sameAccount = await withSystem(ctx.pool, (db) =>
        matchesBoundIdentity(db, tenant.id, user.id, { issuer: identity.issuer, subject: identity.subject }),
      );
      if (!sameAccount) {
        return fail(request, reply, tenant, 'identity_mismatch', 'another IdP account', identity.email);
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
