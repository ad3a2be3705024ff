// V8 heap growth for a broker process. The broker's own JS heap is small (~10 MB), so V8's default
// old-generation limit leaves ~10 MB of slack, and a mark-compact started whenever the request
// stream pushed past it: at 20k small produces/s that was one every ~0.3-0.5 s, each a 2-7 ms pause
// plus concurrent-marking threads taking a core of two, which set the produce p99 latency.
// A fixed growing factor of 4 (V8's own maximum for small heaps) keeps the limit at 4x the live
// heap: ~5x fewer mark-compacts for a few tens of MB of heap headroom. Node's start-up flags
// (--initial-old-space-size, ...) cannot be set after start; this one is read at every GC.
import v8 from 'node:v8';

const FLAG = 'heap-growing-percent';
/** Growing factor 1 + 300/100 = 4. */
export const SERVER_HEAP_GROWING_PERCENT = 300;

/**
 * Applies the broker's V8 heap tuning to this process, unless the operator set the flag already
 * (node --heap-growing-percent=N or NODE_OPTIONS). For processes that are a broker (`brook start`),
 * not for applications embedding one. Returns whether it applied.
 */
export function tuneServerGc(env: NodeJS.ProcessEnv = process.env): boolean {
  const given = [...process.execArgv, env.NODE_OPTIONS ?? ''].some((a) => a.replaceAll('_', '-').includes(FLAG));
  if (given) return false;
  v8.setFlagsFromString(`--${FLAG}=${SERVER_HEAP_GROWING_PERCENT}`);
  return true;
}
