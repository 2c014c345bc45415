/**
 * Timing for the benchmarks: contenders for one case are warmed up, then timed in rounds that
 * visit every contender in turn, so drift of a shared machine (other processes, thermal limits)
 * hits all of them alike. Every call is timed on its own; the statistics are over single calls.
 */

export interface Timed {
  /** Runs one call to completion (results read back to JS memory). */
  run(): Promise<void>;
  /**
   * Where the op has finished when it returns (tfjs's cpu and wasm backends): times `calls` calls
   * of the op alone, back to back, each result disposed unread, after one untimed call when
   * `warmCall`: the calls PyTorch's worker times (Stats.opAlone). Between two of run()'s calls
   * lies a read-back (megabytes copied into new JS memory), which PyTorch's calls do not have.
   */
  timeOpAlone?(calls: number, warmCall: boolean): number[];
  /** Times `calls` calls itself and returns each one's ms (e.g. calls made in a worker thread). */
  timeCalls?(calls: number): Promise<number[]>;
  /** Puts the contender's backend in place before its calls; not timed. */
  activate?(): Promise<void>;
  /**
   * ms of a call already made before measuring (e.g. a correctness check). A slow contender
   * (over 10 rounds' worth) counts it as its warm-up and is not called again before timing.
   */
  alreadyCalledMs?: number;
}

export interface Stats {
  msMedian: number;
  msMin: number;
  msMax: number;
  calls: number;
  /** The same calls' op-alone part, where run() returned it. */
  opAlone?: Stats;
}

export type Outcome = { stats: Stats } | { skipped: string };

export interface MeasureOptions {
  /** Rounds over all contenders; each contender gets at least this many timed calls. */
  rounds: number;
  /** Calls per contender per round are chosen so a round costs about this much per contender. */
  roundMs: number;
  /** At most this many calls per contender per round. */
  maxCallsPerRound: number;
  /** A contender whose warm-up call takes longer than this is skipped. */
  tooSlowMs: number;
  /** Warm-up calls (the first call compiles, allocates, fills caches). */
  warmup: number;
  /**
   * And warm-up goes on until this much time has passed: V8 optimises the JS around a kernel (the
   * tfjs engine, the op's wrapper) only after some dozens of calls, so a sub-millisecond op timed
   * after two calls would be timed partly unoptimised, which a training loop never is.
   */
  warmupMs: number;
  /**
   * A full collection before each contender's turn (settleBeforeTiming); true unless false. Off
   * where the contenders make the same garbage and the collector's steady state is the point
   * (bench:threads, bench/lib/gc.ts): forced collections keep V8 collecting every few calls.
   */
  collectBeforeTurn?: boolean;
  /** Called once the warm-up is over, before the first timed round. */
  atRoundsStart?(): void;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function stats(samples: readonly number[], opAloneSamples: readonly number[] = []): Stats {
  const s = { msMedian: median(samples), msMin: Math.min(...samples), msMax: Math.max(...samples), calls: samples.length };
  return opAloneSamples.length === samples.length && samples.length > 0 ? { ...s, opAlone: stats(opAloneSamples) } : s;
}

/**
 * Node's gc() where the process runs with --expose-gc (the bench scripts do). A full collection
 * starts each contender's turn in a round, outside the timing, so the garbage of earlier calls
 * (results read back are megabytes of ArrayBuffers) is not collected inside this contender's
 * calls, whichever contender made it; one untimed call after it warms the caches the collection
 * swept (timeCalls contenders do the same on their side: see settleBeforeTiming).
 */
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Before a turn of timed calls: the collection, then (for a contender fast enough to get several calls a round) one untimed call. */
export async function settleBeforeTiming(run: () => Promise<unknown>, warmCall: boolean, collect = true): Promise<void> {
  if (collect) collectGarbage();
  if (warmCall) await run();
}

/** One call's ms. */
async function timeCall(t: Timed): Promise<number> {
  if (t.timeCalls) return (await t.timeCalls(1))[0]!;
  const start = performance.now();
  await t.run();
  return performance.now() - start;
}

/** Warm up, then time `contenders` interleaved; returns one outcome per contender, in order. */
export async function measureInterleaved(contenders: readonly Timed[], o: MeasureOptions, onSkip?: (i: number, why: string) => void): Promise<Outcome[]> {
  const samples: number[][] = contenders.map(() => []);
  const opAloneSamples: number[][] = contenders.map(() => []);
  const callsPerRound: number[] = [];
  const skipped: (string | undefined)[] = [];
  for (const [i, t] of contenders.entries()) {
    await t.activate?.();
    const warm = t.alreadyCalledMs !== undefined && t.alreadyCalledMs > o.roundMs * 10;
    let lastCallMs = warm ? t.alreadyCalledMs! : 0;
    const warmupStart = performance.now();
    for (let w = 0; !warm && (w < o.warmup || performance.now() - warmupStart < o.warmupMs); w++) {
      lastCallMs = await timeCall(t);
      if (lastCallMs > o.tooSlowMs) break;
      if (lastCallMs > o.roundMs * 10) break; // one warm-up call is enough for a slow contender
    }
    if (lastCallMs > o.tooSlowMs) {
      skipped[i] = `skipped: too slow (> ${o.tooSlowMs / 1000} s per call)`;
      onSkip?.(i, skipped[i]!);
    }
    callsPerRound[i] = Math.max(1, Math.min(o.maxCallsPerRound, Math.round(o.roundMs / Math.max(lastCallMs, 1e-3))));
  }
  const collect = o.collectBeforeTurn !== false;
  o.atRoundsStart?.();
  for (let r = 0; r < o.rounds; r++) {
    for (const [i, t] of contenders.entries()) {
      if (skipped[i]) continue;
      await t.activate?.();
      if (t.timeCalls) samples[i]!.push(...(await t.timeCalls(callsPerRound[i]!)));
      else {
        const calls = callsPerRound[i]!;
        await settleBeforeTiming(() => t.run(), calls > 1, collect);
        for (let k = 0; k < calls; k++) samples[i]!.push(await timeCall(t));
        if (t.timeOpAlone) {
          if (collect) collectGarbage();
          opAloneSamples[i]!.push(...t.timeOpAlone(calls, calls > 1));
        }
      }
    }
  }
  return contenders.map((_, i) => (skipped[i] ? { skipped: skipped[i]! } : { stats: stats(samples[i]!, opAloneSamples[i]!) }));
}

/** Progress lines go to stderr, so stdout stays clean for --json. */
export function progress(message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${s} s] ${message}\n`);
}
const started = performance.now();
