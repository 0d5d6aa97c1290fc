import { z } from 'zod';
import { parseTrustedProxies } from './http/trusted-proxies.ts';
import { loadOperationsConfig, type OperationsConfig } from './operations-config.ts';

/**
 * Configuration comes only from the environment, validated once at start-up so a typo
 * fails loudly with the variable's name instead of surfacing later as odd behaviour.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  DATABASE_URL: z
    .string({
      error: 'DATABASE_URL is missing: set it to the postgres:// URL of the role that owns the schema.',
    })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL.'),
  MQTT_URL: z
    .string({ error: 'MQTT_URL is missing: set it to the broker URL, e.g. mqtt://127.0.0.1:1883.' })
    .regex(/^mqtts?:\/\/|^wss?:\/\//, 'MQTT_URL must be an mqtt:// (or ws://) URL.'),
  BROKER_USERS: z
    .enum(['platform', 'mosquitto-dynamic-security'], {
      error:
        'BROKER_USERS must be platform (the broker asks the platform who a producer is) or mosquitto-dynamic-security (the platform provisions producers into Mosquitto).',
    })
    .default('platform'),
  PORT: z.coerce.number().int().min(0).max(65535).default(0),
  HOST: z.string().min(1).default('127.0.0.1'),
  BOOTSTRAP_TOKEN: z.string().min(16, 'BOOTSTRAP_TOKEN must be at least 16 characters long.').optional(),
  PUBLIC_URL: z.url('PUBLIC_URL must be an absolute URL such as https://anomalies.example.com.').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPLOAD_MAX_BYTES: positiveInt(10 * 1024 * 1024),
  UPLOAD_MAX_ROWS: positiveInt(200_000),
  UPLOAD_MAX_COLUMNS: positiveInt(100),
  TRUST_PROXY: z.string().optional(),
  RATE_LIMIT_AUTH_PER_MINUTE: positiveInt(30),
  RATE_LIMIT_WRITE_PER_MINUTE: positiveInt(120),
  SIGNIN_FAILURE_LIMIT: positiveInt(5),
  SIGNIN_FAILURE_WINDOW_SECONDS: positiveInt(900),
  OIDC_TIMEOUT_MS: positiveInt(4000),
  SESSION_TTL_MINUTES: positiveInt(8 * 60),
  LIVE_FEED_MAX_PER_USER: positiveInt(5),
  LIVE_FEED_MAX_BUFFERED_BYTES: positiveInt(1024 * 1024),
  RETENTION_PURGE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(3600),
  RESPONSE_CHECK: z.enum(['strict', 'log', 'off']).default('strict'),
  TEST_CLOCK: z
    .enum(['true', 'false'], { error: 'TEST_CLOCK must be true or false.' })
    .default('false')
    .transform((value) => value === 'true'),
});

export interface Config {
  /** What happens to a JSON answer that strays from its published schema: a 500, a log line, or nothing. */
  responseCheck: 'strict' | 'log' | 'off';
  databaseUrl: string;
  mqttUrl: string;
  /**
   * Who keeps the broker's producer users: the broker asks the platform at each connection
   * (`platform`), or the platform provisions each credential into Mosquitto's dynamic-security
   * plugin as it issues and revokes it.
   */
  brokerUsers: 'platform' | 'mosquitto-dynamic-security';
  port: number;
  host: string;
  bootstrapToken: string | undefined;
  publicUrl: string | undefined;
  logLevel: string;
  upload: { maxBytes: number; maxRows: number; maxColumns: number };
  /** The proxies whose X-Forwarded-For hops are believed (addresses or CIDRs); empty: none. */
  trustedProxies: string[];
  rateLimits: {
    authPerMinute: number;
    writePerMinute: number;
    signInFailures: number;
    signInFailureWindowSeconds: number;
  };
  oidcTimeoutMs: number;
  sessionTtlMinutes: number;
  /** Open live feeds per user, and the unsent bytes past which a slow reader's feed is closed. */
  liveFeed: { maxFeedsPerUser: number; maxBufferedBytes: number };
  /** How often the retention purge runs; 0 = only on demand. */
  retentionPurgeIntervalSeconds: number;
  /**
   * Whether the admin API may move the platform clock forward (`POST /api/admin/clock/advance`),
   * so test suites can age data without waiting. Off by default: the bootstrap token alone must
   * not let anyone rewrite a deployment's notion of time.
   */
  testClock: boolean;
  operations: OperationsConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      return issue.message.includes(variable) ? issue.message : `${variable}: ${issue.message}`;
    });
    throw new ConfigError(problems.join(' '));
  }
  const e = parsed.data;
  let operations: OperationsConfig;
  let trustedProxies: string[];
  try {
    trustedProxies = parseTrustedProxies(e.TRUST_PROXY);
    operations = loadOperationsConfig(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    databaseUrl: e.DATABASE_URL,
    mqttUrl: e.MQTT_URL,
    brokerUsers: e.BROKER_USERS,
    port: e.PORT,
    host: e.HOST,
    bootstrapToken: e.BOOTSTRAP_TOKEN,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    upload: { maxBytes: e.UPLOAD_MAX_BYTES, maxRows: e.UPLOAD_MAX_ROWS, maxColumns: e.UPLOAD_MAX_COLUMNS },
    trustedProxies,
    responseCheck: e.RESPONSE_CHECK,
    rateLimits: {
      authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE,
      writePerMinute: e.RATE_LIMIT_WRITE_PER_MINUTE,
      signInFailures: e.SIGNIN_FAILURE_LIMIT,
      signInFailureWindowSeconds: e.SIGNIN_FAILURE_WINDOW_SECONDS,
    },
    oidcTimeoutMs: e.OIDC_TIMEOUT_MS,
    sessionTtlMinutes: e.SESSION_TTL_MINUTES,
    liveFeed: { maxFeedsPerUser: e.LIVE_FEED_MAX_PER_USER, maxBufferedBytes: e.LIVE_FEED_MAX_BUFFERED_BYTES },
    retentionPurgeIntervalSeconds: e.RETENTION_PURGE_INTERVAL_SECONDS,
    testClock: e.TEST_CLOCK,
    operations,
  };
}
