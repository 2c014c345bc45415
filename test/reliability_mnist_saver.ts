/**
 * Child process for test/reliability_mnist.test.ts: saves checkpoints into DIR in a loop, as fast
 * as it can, until it is killed, printing `saved N` after each save returns. Save N holds every
 * weight equal to N and N in the training state's `seed`, so a reader can tell whether the weights
 * file and model.json come from the same save. It resumes from DIR's checkpoint, as the trainer does.
 *
 *   node --import tsx test/reliability_mnist_saver.ts DIR advance      epoch N for save N
 *   node --import tsx test/reliability_mnist_saver.ts DIR same-epoch   every save is epoch 1
 */
import { util } from '@tensorflow/tfjs-core';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/mnist/checkpoint.js';
import { PARAMETERS, type StnModel } from '../src/mnist/model.js';

const [dir, how] = process.argv.slice(2) as [string, 'advance' | 'same-epoch'];

/** saveCheckpoint reads only each parameter's shape and data(). */
function modelFilledWith(value: number): StnModel {
  const params = new Map(PARAMETERS.map((p) => {
    const values = new Float32Array(util.sizeFromShape(p.shape)).fill(value);
    return [p.name, { shape: p.shape, data: async () => values }] as const;
  }));
  return { params } as unknown as StnModel;
}

let n = hasCheckpoint(dir) ? loadCheckpoint(dir).state.seed : 0;
for (;;) {
  n++;
  const epoch = how === 'advance' ? n : 1;
  await saveCheckpoint(dir, modelFilledWith(n), { epoch, history: [], rngState: [1, 2, 3, 4], seed: n, lr: 0.01, batchSize: 64 });
  process.stdout.write(`saved ${n}\n`);
}
