/**
 * Calls to the services a tenant integrates (Slack, PagerDuty, threat intelligence): JSON in and
 * out, a time limit, no redirects (a configured URL must not bounce the platform elsewhere), and
 * failures reported as one OutboundError whose message says which service failed and how.
 */
export class OutboundError extends Error {
  override name = 'OutboundError';
  readonly status: number | null;

  constructor(message: string, status: number | null = null) {
    super(message);
    this.status = status;
  }
}

export interface OutboundResponse {
  status: number;
  /** Parsed JSON, the raw text when it is not JSON, or null for an empty body. */
  body: unknown;
}

export async function callJson(
  service: string,
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; json?: unknown },
  timeoutMs: number,
): Promise<OutboundResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new OutboundError(
      timedOut ? `${service} did not answer within ${timeoutMs} ms` : `${service} could not be reached`,
    );
  }
  const text = await response.text().catch(() => '');
  let body: unknown = text === '' ? null : text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: some services (Slack's webhooks) answer plain text; callers decide.
  }
  return { status: response.status, body };
}
