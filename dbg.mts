import { setUpBackend } from './src/mnist/backend.js';
import { loadMnist } from './src/mnist/data.js';
import { trainPaper } from './src/mnist/paper_train.js';
import { parameterCount } from './src/mnist/paper_models.js';
await setUpBackend('wasm');
const m = loadMnist(undefined, { limitTrain: 4000, limitTest: 1000 });
for (const model of ['cnn', 'st-cnn'] as const) {
  console.log(model, parameterCount({ model, transform: 'affine', dataset: 'rts' }));
  const t0 = performance.now();
  const r = await trainPaper(m, { model, transform: 'affine', dataset: 'rts', epochs: 2, batchSize: 64, lr: Number(process.env.LR), seed: 1, backend: 'wasm' }, { onEpochEnd: (r) => console.log(JSON.stringify(r)) });
  console.log((performance.now() - t0) / 1000);
  r.model.dispose();
}
