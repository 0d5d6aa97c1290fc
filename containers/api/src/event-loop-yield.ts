/**
 * Lets pending I/O run before continuing. Long loops over big datasets (parsing, exporting)
 * call it between batches so one large request never stalls everyone else's.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
