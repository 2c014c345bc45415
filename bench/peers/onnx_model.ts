/**
 * A one-node ONNX model (GridSample) built in code, so the benchmark needs no model file and no
 * Python. Only the subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
 * that such a model uses is declared here; field numbers are the official ones.
 */
import protobuf from 'protobufjs';
import type { Mode, PaddingMode } from '../../src/kernels/names.js';

const ONNX_PROTO_SUBSET = `
syntax = "proto3";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  AttributeType type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string domain = 7;
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
`;

/** TensorProto.DataType.FLOAT */
const FLOAT = 1;
/**
 * Opset 20 renamed GridSample's modes ('bilinear' -> 'linear', 'bicubic' -> 'cubic'); ONNX
 * Runtime 1.30 accepts only the names of the opset the model declares. IR version 9 is the one
 * opset 20 belongs to.
 */
export const GRID_SAMPLE_OPSET = 20;
const IR_VERSION = 9;
const ONNX_MODE: Record<Mode, string> = { bilinear: 'linear', nearest: 'nearest', bicubic: 'cubic' };

const modelType = protobuf.parse(ONNX_PROTO_SUBSET).root.lookupType('onnx.ModelProto');

function valueInfo(name: string, shape: readonly number[]) {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

/**
 * ONNX model bytes computing Y = GridSample(X, grid), X in NCHW [N, C, H, W], grid [N, Ho, Wo, 2],
 * Y [N, C, Ho, Wo]: the same sampling as stn-layer's gridSample on the NHWC transpose. Volumes
 * (opset 20 takes any rank): X [N, C, D, H, W], grid [N, Do, Ho, Wo, 3], Y [N, C, Do, Ho, Wo].
 */
export function gridSampleOnnxModel(
  inputShapeNCHW: readonly number[],
  gridShape: readonly number[],
  options: { mode: Mode; paddingMode: PaddingMode; alignCorners: boolean },
): Uint8Array {
  const [N, C] = inputShapeNCHW;
  const spatial = gridShape.slice(1, -1);
  const STRING = 3;
  const INT = 2;
  const model = {
    irVersion: IR_VERSION,
    producerName: 'stn-layer bench',
    opsetImport: [{ domain: '', version: GRID_SAMPLE_OPSET }],
    graph: {
      name: 'grid_sample',
      node: [{
        opType: 'GridSample', name: 'gs', input: ['X', 'grid'], output: ['Y'],
        attribute: [
          { name: 'mode', type: STRING, s: new TextEncoder().encode(ONNX_MODE[options.mode]) },
          { name: 'padding_mode', type: STRING, s: new TextEncoder().encode(options.paddingMode) },
          { name: 'align_corners', type: INT, i: options.alignCorners ? 1 : 0 },
        ],
      }],
      input: [valueInfo('X', inputShapeNCHW), valueInfo('grid', gridShape)],
      output: [valueInfo('Y', [N!, C!, ...spatial])],
    },
  };
  const err = modelType.verify(model);
  if (err) throw new Error(`gridSampleOnnxModel: invalid model: ${err}`);
  return modelType.encode(modelType.fromObject(model)).finish();
}
