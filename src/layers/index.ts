/**
 * stn-layer/layers: the spatial transformer as tf.layers. `SpatialTransformer` is a weightless
 * layer on [image, params]; `spatialTransformer({...})` builds the whole STN (localization, a head
 * starting at the identity, the transformer) as a tf.LayersModel to put in front of any CNN.
 * Importing this module registers the layer for serialization (so tf.loadLayersModel finds it) and,
 * through the package's main entry, the ops' kernels and gradients. Needs @tensorflow/tfjs-layers
 * (which @tensorflow/tfjs includes).
 */
import { serialization } from '@tensorflow/tfjs-core';
import { SpatialTransformer } from './spatial_transformer.js';
// The kernels and gradients the layer's ops run on.
import '../index.js';

export { SpatialTransformer, type SpatialTransformerArgs, type TransformOptions } from './spatial_transformer.js';
export { type SpatialTransformerModelArgs, spatialTransformer } from './factory.js';
export { type TransformName, TRANSFORM_NAMES } from './transforms.js';

serialization.registerClass(SpatialTransformer);
