/**
 * PyTorch's CPU grid_sample as a peer: one bench/peers/pytorch_worker.py process per thread count
 * (torch.set_num_threads is per process), spoken to over its stdin/stdout. Calls are timed inside
 * the worker, so the pipe stays out of the timings; inputs go over once per case, channels-first.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'pytorch_worker.py');

/** The ops the worker times: forward; forward + both gradients; forward + d(grid) alone (the STN case). */
export type PytorchOp = 'forward' | 'forward+backward' | 'forward+d(grid)';

/** Why PyTorch cannot be a contender here (no python3, or no torch in it), or undefined if it can. */
export function pytorchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${PYTHON}: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
  return undefined;
}

interface Reply {
  id?: number;
  error?: string;
  ms?: number[];
  ready?: boolean;
  torch?: string;
  bytes?: number;
  payload?: Uint8Array;
}

/** The results of the worker's first, checked calls, channels-first as PyTorch returns them. */
export interface PytorchResults {
  output: Float32Array;
  dInput: Float32Array;
  dGrid: Float32Array;
  dGridAlone: Float32Array;
}

export interface PytorchCaseInput {
  /** Channels-first: [N, C, H, W] or [N, C, D, H, W]. */
  x: Float32Array;
  xShape: number[];
  grid: Float32Array;
  gridShape: number[];
  /** The upstream gradient, channels-first like the output. */
  dy: Float32Array;
  dyShape: number[];
  mode: string;
  paddingMode: string;
  alignCorners: boolean;
}

export class PytorchWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = Buffer.alloc(0);
  /** Chunks not yet joined to `buffered`, and the bytes drain() needs before it can go on. */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private needed = 0;
  private readonly waiting: { resolve(r: Reply): void; reject(e: Error): void }[] = [];
  private dead: Error | undefined;
  private stderr = '';
  private nextId = 1;
  /** torch.__version__, once the worker has said it is ready. */
  readonly ready: Promise<string>;

  constructor(readonly threads: number) {
    // Idle OpenMP threads wait passively, so they take no CPU from the contender timed next (as
    // ONNX Runtime's allow_spinning 0 does for its pool).
    const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
    this.child = spawn(PYTHON, [SCRIPT, '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stdout.on('data', (chunk: Buffer) => {
      // Results are megabytes in 64 KB chunks: join them once there are enough.
      this.chunks.push(chunk);
      this.chunkBytes += chunk.length;
      if (this.buffered.length + this.chunkBytes >= this.needed) this.drain();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    const die = (e: Error) => {
      this.dead ??= e;
      for (const w of this.waiting.splice(0)) w.reject(this.dead);
    };
    this.child.on('error', die);
    this.child.on('exit', (code) => die(new Error(`PyTorch worker exited (code ${code})${this.stderr ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`)));
    this.ready = this.next().then((r) => r.torch ?? 'unknown');
  }

  /** Replies come in request order (the worker answers one request at a time). */
  private drain(): void {
    this.buffered = Buffer.concat([this.buffered, ...this.chunks.splice(0)]);
    this.chunkBytes = 0;
    this.needed = 0;
    for (;;) {
      const eol = this.buffered.indexOf(10);
      if (eol < 0 || this.waiting.length === 0) return;
      const reply = JSON.parse(this.buffered.subarray(0, eol).toString()) as Reply;
      const end = eol + 1 + (reply.bytes ?? 0);
      if (this.buffered.length < end) {
        this.needed = end;
        return;
      }
      // A copy of its own, so the floats start 4-byte aligned.
      if (reply.bytes) reply.payload = new Uint8Array(this.buffered.subarray(eol + 1, end));
      this.buffered = this.buffered.subarray(end);
      const w = this.waiting.shift()!;
      if (reply.error !== undefined) w.reject(new Error(`PyTorch: ${reply.error}`));
      else w.resolve(reply);
    }
  }

  private next(): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.drain();
    });
  }

  private request(req: Record<string, unknown>, payload: Float32Array[] = []): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    const bytes = payload.reduce((n, p) => n + p.byteLength, 0);
    this.child.stdin.write(`${JSON.stringify(bytes ? { ...req, bytes } : req)}\n`);
    for (const p of payload) this.child.stdin.write(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    return this.next();
  }

  /** A case in the worker: its first results (for the check) and timed calls of each op. */
  async session(c: PytorchCaseInput): Promise<{ results: PytorchResults; time(op: PytorchOp, calls: number): Promise<number[]>; release(): Promise<void> }> {
    const id = this.nextId++;
    const { x, grid, dy, ...shapes } = c;
    const reply = await this.request({ type: 'create', id, ...shapes }, [x, grid, dy]);
    const all = new Float32Array(reply.payload!.buffer, reply.payload!.byteOffset, reply.payload!.byteLength / 4);
    const outLength = dy.length;
    const results: PytorchResults = {
      output: all.subarray(0, outLength),
      dInput: all.subarray(outLength, outLength + x.length),
      dGrid: all.subarray(outLength + x.length, outLength + x.length + grid.length),
      dGridAlone: all.subarray(outLength + x.length + grid.length),
    };
    return {
      results,
      time: async (op, calls) => (await this.request({ type: 'time', id, op, calls })).ms!,
      release: async () => void (await this.request({ type: 'release', id })),
    };
  }

  terminate(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
