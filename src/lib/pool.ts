/**
 * Bounded concurrency for fleet-wide work: a handful of accounts at once, so Azure is not flooded,
 * and one account's failure never stops the others.
 */

/** The outcome of one item, in the shape of `Promise.allSettled`. */
export type Settled<R> = PromiseSettledResult<R>;

/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns every outcome in input
 * order. A rejection (or a synchronous throw) of `fn` is kept as that item's result and the others
 * go on. `items` may be an async iterable such as list pages: it is pulled one item at a time, and
 * if it throws, the calls already started are allowed to finish before that error is rethrown.
 */
export async function mapLimit<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<Array<Settled<R>>> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`mapLimit: limit must be a whole number of at least 1, found ${limit}`);
  }
  const iterator = toAsyncIterator(items);
  const results: Array<Settled<R>> = [];
  let nextIndex = 0;
  let sourceFailure: { error: unknown } | undefined;
  // Pulls are chained so that an iterable which cannot take overlapping `next` calls gets none.
  let pulling: Promise<unknown> = Promise.resolve();

  const pull = (): Promise<IteratorResult<T> | undefined> => {
    const pulled = pulling.then(async () => {
      if (sourceFailure) return undefined;
      try {
        return await iterator.next();
      } catch (error) {
        sourceFailure = { error };
        return undefined;
      }
    });
    pulling = pulled;
    return pulled;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await pull();
      if (next === undefined || next.done) return;
      const index = nextIndex++;
      try {
        results[index] = { status: "fulfilled", value: await fn(next.value, index) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };

  await Promise.all(Array.from({ length: limit }, worker));
  if (sourceFailure) throw sourceFailure.error;
  return results;
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in items
    ? items[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
}
