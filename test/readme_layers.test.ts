/**
 * The README's "Add a spatial transformer to your CNN" example runs as written: its code block,
 * with the package's import specifiers pointed at src/ and the save directory at a temporary one,
 * trains, saves and reloads, and the reloaded model predicts exactly what the trained one does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { removeAll, tempDir } from './browser_support.js';

const ROOT = join(__dirname, '..');
const SECTION = '## Add a spatial transformer to your CNN';

/** The first ```js block after the section's heading. */
function exampleCode(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  expect(start, `README.md has the section '${SECTION}'`).toBeGreaterThanOrEqual(0);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(start));
  expect(block, 'the section has a js code block').not.toBeNull();
  return block![1]!;
}

const temp: string[] = [];
afterAll(() => removeAll(temp));

it("README: an existing tf.sequential CNN gets an STN in front, trains, saves and reloads", async () => {
  const code = exampleCode();
  const dir = tempDir('stn-readme-layers-', temp);
  const runnable = code
    .replace(/from 'stn-layer\/layers'/g, "from '../src/layers/index.ts'")
    .replace(/from 'stn-layer\/mnist'/g, "from '../src/mnist/index.ts'")
    .replace(/fileIO\('my-stn-cnn'\)/g, `fileIO(${JSON.stringify(dir)})`);
  expect(runnable).not.toContain("fileIO('my-stn-cnn')");
  const artifacts = join(ROOT, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `readme-layers-${process.pid}.mjs`);
  writeFileSync(file, `${runnable}\nexport { model, loaded, xs };\n`);
  temp.push(file);
  const { model, loaded, xs } = (await import(/* @vite-ignore */ file)) as { model: tf.LayersModel; loaded: tf.LayersModel; xs: tf.Tensor };
  expect(readFileSync(join(dir, 'model.json'), 'utf8')).toContain('"class_name":"SpatialTransformer"');
  const want = await (model.predict(xs) as tf.Tensor).data();
  expect(await (loaded.predict(xs) as tf.Tensor).data()).toEqual(want);
});
