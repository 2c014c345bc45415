/**
 * V8's full collections (mark-compact), counted by v8.GCProfiler: how many a benchmark's
 * timed rounds saw. Why it matters for threads: the cpu backend's every output is a
 * new ArrayBuffer (as every tfjs cpu op's), and V8 answers that memory with full collections whose
 * concurrent marking runs on helper threads, on whatever core is free. One thread leaves it the
 * second core of a 2-core machine; two threads share that core with it. Measured on a 2-core VM
 * (scratch, not a benchmark), [8,128,128,16] forward + backward, 1 and 2 threads in turns of 8
 * calls, windows of 270 calls: a loop that never paused made 11-80 full collections in each of
 * its first five windows (two threads 0.58-0.90x one thread's time), then 0-1 in each of the next
 * five (0.55-0.59x); the same loop pausing 300 ms a round (as a process waiting on another does)
 * made 73-78 in every window after the first (0.87-0.98x); with a gc() before each turn, 104-112
 * (0.80-0.99x). The cause: Node's default semi-spaces (16 MB at most, shrunk after a pause or a
 * gc()) are too small for outputs of megabytes, which outlive a scavenge and reach the old
 * generation; the pausing loop under `node --min-semi-space-size=32 --max-semi-space-size=32`
 * made 6-24 (0.58-0.61x).
 */
import { GCProfiler } from 'node:v8';

/** Counts V8's full collections from now until stop(), which returns the count. */
export function fullCollections(): { stop(): number } {
  const profiler = new GCProfiler();
  profiler.start();
  return { stop: () => profiler.stop()?.statistics.filter((s) => s.gcType === 'MarkSweepCompact').length ?? 0 };
}
