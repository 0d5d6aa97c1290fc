/**
 * How the UI routes describe themselves in /openapi.json: a page behind the session cookie, and a
 * form post with the answers it can give.
 */
export const page = (summary: string) => ({
  doc: { summary, tag: 'ui' as const, auth: 'session' as const, responses: { 200: 'page' } },
});

export const formPostAnswering = (responses: Record<number, string>) => (summary: string) => ({
  doc: {
    summary,
    tag: 'ui' as const,
    auth: 'session' as const,
    bodyType: 'application/x-www-form-urlencoded' as const,
    responses,
  },
});
