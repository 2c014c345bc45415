/**
 * FusedConv2D for tfjs-backend-wasm, replacing its own (XNNPACK, slow for training: see Conv2D.ts)
 * for what tf.layers' Conv2D runs: a convolution plus a float32 bias [Co], no activation. Any other
 * call (an activation, prelu weights, another bias shape) goes to tfjs-wasm's own.
 */
import { FusedConv2D, type FusedConv2DAttrs, type KernelBackend, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { conv2D } from './Conv2D.js';
import { runReplaced } from './replaced.js';

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const outChannels = filter!.shape[3];
    const plainBias = !bias || (bias.dtype === 'float32' && util.sizeFromShape(bias.shape) === outChannels && bias.shape.length === 1);
    if ((attrs.activation ?? 'linear') !== 'linear' || preluActivationWeights || !plainBias) return runReplaced(FusedConv2D, args);
    return conv2D(x!, filter!, args.backend as KernelBackend, attrs, bias, FusedConv2D);
  },
};
