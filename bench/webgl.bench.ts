/**
 * npm run bench:webgl: stn-layer's gridSample on tfjs's webgl backend against tf.image.transform
 * on webgl, in headless Chromium (Debian's, driven by playwright-core as the browser tests do),
 * bilinear/zeros, forward (tf.image.transform has no gradient) and stn-layer's forward+backward,
 * and each half of its backward kernel alone.
 * Without a GPU, Chromium's WebGL2 is SwiftShader, a software rasteriser on the CPU: the table
 * says so, and its timings say little about a GPU. Data and the agreement check (both must
 * compute the same warp) are bench/lib/data.ts's.
 *
 *   npm run bench:webgl -- [--quick]
 */
import { join } from 'node:path';
import { WEBGL_ARGS, buildPage, closeServer, launchChromium, removeAll, serve, tempDir } from '../test/browser_support.js';
import type { WebGLBenchRow } from './webgl_page/page.js';

const quick = process.argv.includes('--quick');
const CASES: [[number, number, number, number], [number, number]][] = quick
  ? [[[64, 28, 28, 1], [28, 28]], [[4, 32, 32, 3], [32, 32]]]
  : [[[64, 28, 28, 1], [28, 28]], [[32, 64, 64, 3], [64, 64]], [[1, 512, 512, 3], [512, 512]]];
const [ROUNDS, CALLS] = quick ? [3, 2] : [7, 5];

const temp: string[] = [];
const outDir = tempDir('stn-bench-webgl-', temp);
await buildPage(join(import.meta.dirname, 'webgl_page'), outDir, 'stn-layer webgl benchmark');
const { server, url } = await serve(outDir);
const { context, page, errors } = await launchChromium(tempDir('stn-chromium-', temp), WEBGL_ARGS);
try {
  await page.goto(url);
  await page.waitForFunction(() => 'stnBench' in window);
  const { renderer, rows } = await page.evaluate(([cases, rounds, calls]) =>
    (window as unknown as { stnBench: { run(...a: unknown[]): Promise<{ renderer: string; rows: WebGLBenchRow[] }> } }).stnBench.run(cases, rounds, calls),
  [CASES, ROUNDS, CALLS] as const);
  const software = /swiftshader|llvmpipe|software/i.test(renderer);
  console.log(`WebGL2 renderer: ${renderer}${software ? ' (a software rasteriser on the CPU: these timings mean little for a GPU)' : ''}`);
  console.log('| shape | op | stn-layer ms | tf.image.transform ms | tf.image.transform / stn-layer |\n| --- | --- | --- | --- | --- |');
  for (const shape of [...new Set(rows.map((r) => r.shape))]) {
    for (const op of ['forward', 'forward+backward', 'd(input) alone', 'd(grid) alone'] as const) {
      const ours = rows.find((r) => r.shape === shape && r.op === op && r.impl === 'stn-layer')!;
      const theirs = rows.find((r) => r.shape === shape && r.op === op && r.impl === 'tf.image.transform');
      const ratio = theirs ? `${(theirs.ms / ours.ms).toFixed(2)}x` : op === 'forward' ? 'n/a' : 'n/a (no gradient)';
      console.log(`| ${shape} | ${op} | ${ours.ms.toFixed(2)} | ${theirs ? theirs.ms.toFixed(2) : 'n/a'} | ${ratio} |`);
    }
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
} finally {
  await context.close();
  await closeServer(server);
  removeAll(temp);
}
