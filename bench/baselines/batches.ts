/**
 * The contiguous-batch baseline (qwen-code / gemini-cli): consecutive read-only calls run
 * together in one `Promise.all`, any other call runs alone, in call order.
 */
export async function runInBatches<C>(
  calls: readonly C[],
  isReadOnly: (call: C) => boolean,
  run: (call: C) => Promise<unknown>,
): Promise<void> {
  let i = 0;
  while (i < calls.length) {
    const batch: C[] = [];
    while (i < calls.length && isReadOnly(calls[i] as C)) batch.push(calls[i++] as C);
    if (batch.length > 0) await Promise.all(batch.map(run));
    else await run(calls[i++] as C);
  }
}
