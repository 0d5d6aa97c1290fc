import { printable } from './stream-event.ts';

/**
 * Whether storing a batch failed because of something in it, so it would fail again the same
 * way: PostgreSQL's data exceptions (class 22, e.g. NUL in text), integrity violations (23) and
 * program limits (54), or a RangeError from a value JavaScript cannot represent (an invalid date).
 * Anything else (a lost connection, a database restarting) is worth retrying as it is.
 */
export function isPoisonFailure(error: unknown): boolean {
  if (error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/** The reason a set-aside event shows when storing it, and nothing else, failed. */
export function unstorableReason(error: unknown): string {
  const message = printable(error instanceof Error ? error.message : String(error)).slice(0, 300);
  return `the platform could not store it (${message}); check the event against the documented format.`;
}

/**
 * Stores a batch; when it fails because of something it holds, stores each half on its own,
 * down to the one event at fault, which is handed to `setAside` with the reason. The good events
 * around it are stored, so one bad event never holds up the rest. Any other failure goes back to
 * the caller, which retries the batch whole (storing is idempotent, so halves already stored
 * count nothing twice).
 */
export async function storeSplitting<T>(
  items: readonly T[],
  store: (items: readonly T[]) => Promise<void>,
  setAside: (item: T, reason: string) => Promise<void>,
): Promise<void> {
  try {
    await store(items);
  } catch (error) {
    if (!isPoisonFailure(error)) throw error;
    const [only] = items;
    if (items.length === 1 && only !== undefined) {
      await setAside(only, unstorableReason(error));
      return;
    }
    const middle = Math.ceil(items.length / 2);
    await storeSplitting(items.slice(0, middle), store, setAside);
    await storeSplitting(items.slice(middle), store, setAside);
  }
}
