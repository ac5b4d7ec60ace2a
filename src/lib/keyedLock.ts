/**
 * Serialises work per key (an account id) inside one process, so that two events for the same key
 * handled at once take turns: the second then sees what the first did.
 */
export function createKeyedLock(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, work) => {
    const id = key.toLowerCase();
    const previous = tails.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(id, tail);
    try {
      return await run;
    } finally {
      // Forget the key once nobody queued behind us, so the map does not grow with the fleet.
      if (tails.get(id) === tail) tails.delete(id);
    }
  };
}
