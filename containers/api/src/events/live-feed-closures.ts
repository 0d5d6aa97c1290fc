/**
 * Why the platform closes a live feed, as the WebSocket close code and reason the page shows.
 * Codes 4001–4009 are ours (RFC 6455 leaves 4000–4999 to applications); the page (alert-feed.ts)
 * seeing one shows the reason and stops reconnecting, since reconnecting with the same credentials
 * would be refused or closed again.
 * Reasons stay under the 123 bytes a close frame can carry.
 */
export interface FeedClosure {
  code: number;
  reason: string;
}

export const feedClosures = {
  signedOut: { code: 4001, reason: 'You signed out; sign in again to watch the live feed.' },
  sessionExpired: { code: 4002, reason: 'Your session expired; sign in again to watch the live feed.' },
  erased: { code: 4003, reason: 'Your account was erased; the live feed has stopped.' },
  keyRevoked: { code: 4004, reason: 'The API key of this feed was revoked; connect with a current key.' },
  roleChanged: {
    code: 4005,
    reason: 'Your role changed; reload the page to watch the feed with your new role.',
  },
  tenantSuspended: { code: 4006, reason: 'This organisation is suspended; the live feed has stopped.' },
  tooSlow: {
    code: 4009,
    reason: 'The live feed fell behind because this connection reads too slowly; reload to catch up.',
  },
} as const satisfies Record<string, FeedClosure>;

export const tooManyFeeds = (limit: number): FeedClosure => ({
  code: 4008,
  reason: `You already have ${limit} live feeds open; close one of them and reload.`,
});
