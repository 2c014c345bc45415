/**
 * How a gridSample call (images or volumes) is split into independent calls of the module (tasks), which
 * KernelHeap.run() spreads over threads (src/kernels/threads). Every split gives the same bits as
 * one call: the forward and d(grid) are per grid point, split by batch item where the items
 * divide evenly among the threads, else on blocks of four points (the module's own blocks);
 * d(input) is a scatter, split by batch item (disjoint images, each summed
 * in the order one thread sums it). One large image's d(input) is scattered in a FIXED number of
 * stripes of grid points, each into a buffer of its own, summed in stripe order: the stripes
 * depend on the shapes only, never on the thread count, and one thread runs the same stripes.
 */

/**
 * Below this much work per thread (grid points × channels) a call stays on one thread, on a heap
 * the threads work on in place (tfjs-wasm's shared heap in a cross-origin-isolated page). A
 * worker's round trip is 15-35 µs on a 2-core VM (bench:threads), a few percent of this much
 * sampling (about 5 ns per point and channel); but a busy machine can leave a woken worker waiting
 * for a core for milliseconds: at 2^14, the STN-MNIST batch [64,28,28,1] split in two and its
 * forward + backward went from 2.1 to 6.5 ms at load average 10 on 2 cores. At 2^15 it stays on
 * one thread.
 */
export const MIN_WORK_PER_THREAD = 1 << 15;

/**
 * The same where the calling thread copies the operands in and out (the cpu backend's heap: its
 * tensors are plain ArrayBuffers no worker can read), a scatter into d(input) counting twice. The
 * copies stay on the calling thread (they overlap the workers' tasks), so two threads gain only on
 * heavier calls: in Node on a 2-core VM, 1 and 2 threads call by call in one process (bilinear,
 * pairwise medians of 40, the large-buffer glibc setting), [32,64,64,3] (393,216 points ×
 * channels) took 1.00x the one-thread time forward, 0.94x forward + d(grid), 0.78x with d(input);
 * [1,512,512,3] (786,432) 0.75x forward, 0.60x forward + d(grid), 0.66x with d(input). Between
 * 196,608 and 393,216 per thread: 2^18.
 */
export const MIN_WORK_PER_THREAD_COPIED = 1 << 18;

/**
 * The thresholds threadsFor() applies: the two above. Not API: tests lower `copied` so that the
 * cpu backend splits calls small enough to test every mode and option on (the split is the same).
 */
export const splitThresholds = { inPlace: MIN_WORK_PER_THREAD, copied: MIN_WORK_PER_THREAD_COPIED };

/**
 * A split call is cut in this many tasks a thread, which the threads take as they come free
 * (threads/pool.ts): the cpu heap's calling thread copies every task's inputs in, in order, while
 * the workers start on the first, then takes tasks too and copies finished ones out between its
 * own; a thread slowed by another process takes fewer.
 */
export const TASKS_PER_THREAD = 4;

/**
 * A call split by grid points (or d(input)'s stripes summed by elements) is cut finer: such tasks
 * are cheap to cut (blocks of four points) and short, so the thread that also copies (the cpu
 * heap's calling thread) hands more of them to the others. Against 4, in one process, 2 threads,
 * [1,512,512,3]: forward 1.5-6% faster, forward + d(grid) 3-4%, forward + backward 0-3% (13 pairs).
 */
export const POINT_TASKS_PER_THREAD = 8;

/** Tasks one run of the pool's control block holds (threads/worker_source.ts): a call is cut in at most this many. */
export const MAX_TASKS = 64;

/** One image's d(input) from at least this many grid points is scattered in STRIPES stripes... */
export const STRIPE_MIN_POINTS = 1 << 16;
/** ...so that two threads share it (more stripes cost one thread a zero-fill and a sum each). */
export const STRIPES = 2;

/** [start, end) ranges splitting `length` into at most `parts`, every start a multiple of `align`; never none. */
export function splitRange(length: number, parts: number, align: number): [number, number][] {
  const chunk = Math.max(align, Math.ceil(length / parts / align) * align);
  const ranges: [number, number][] = [];
  for (let start = 0; start < length; start += chunk) ranges.push([start, Math.min(length, start + chunk)]);
  return ranges.length > 0 ? ranges : [[0, length]];
}

/**
 * How many of `threads` a call uses: `work` grid points × channels, on a heap whose operands are
 * `copied` in and out by the calling thread or not, scattering into d(input) (`dInput`) or not.
 */
export function threadsFor(threads: number, work: number, copied: boolean, dInput: boolean): number {
  const { inPlace, copied: copiedMin } = splitThresholds;
  const perThread = copied ? (dInput ? 2 * work : work) / copiedMin : work / inPlace;
  return Math.max(1, Math.min(threads, Math.floor(perThread)));
}

/**
 * How many stripes d(input) of N images (or volumes) of `pixels` pixels from `points` grid points
 * per item is scattered in: a single image with many points; not when the image is much larger
 * than the grid (the extra zero-fill and sum would cost more than the scatter).
 */
export function dInputStripes(N: number, pixels: number, points: number): number {
  return N === 1 && points >= STRIPE_MIN_POINTS && pixels > 0 && pixels <= 4 * points ? STRIPES : 1;
}
