/**
 * Runs `work` on chunks of `size` items, at most `parallel` at once, and waits for all of them:
 * a chunk that fails does not stop the others (what they decided is still worth keeping).
 */
export async function inChunks<T>(
  items: readonly T[],
  size: number,
  parallel: number,
  work: (chunk: readonly T[]) => Promise<void>,
): Promise<PromiseSettledResult<void>[]> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  const results: PromiseSettledResult<void>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      try {
        await work(chunk);
        results.push({ status: 'fulfilled', value: undefined });
      } catch (reason) {
        results.push({ status: 'rejected', reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
  return results;
}

/** Throws the first failure of `inChunks`, once every chunk has settled. */
export function rethrowFirst(settled: readonly PromiseSettledResult<void>[]): void {
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
