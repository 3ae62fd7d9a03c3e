/**
 * Runs queries of one transaction one after another. A transaction owns a single connection, and
 * `pg` is dropping support for issuing a query while another is still running on it.
 */
export async function inTurn<T extends readonly unknown[]>(...tasks: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const results: unknown[] = [];
  for (const task of tasks) results.push(await task());
  return results as unknown as T;
}

/** `Promise.all(items.map(work))`, one item at a time. */
export async function mapInTurn<I, O>(items: readonly I[], work: (item: I) => Promise<O>): Promise<O[]> {
  const results: O[] = [];
  for (const item of items) results.push(await work(item));
  return results;
}
