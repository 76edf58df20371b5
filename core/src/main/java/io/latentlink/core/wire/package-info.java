/**
 * Transport-neutral pieces of the KV wire format: how a KV cache is cut into chunks (token ranges x layers), how
 * chunks are put back together, sequence and CRC32C checks, and credit accounting for flow control. No gRPC or
 * protobuf types here; the nodes map these onto latentlink.v1 messages.
 *
 * <p>Layout of a chunk's decoded tensor: {@code [layers, 2 (key, value), kvHeads, tokens, headSize]}, row-major,
 * which is the per-layer {@code [kvHeads, tokens, headSize]} order of the ONNX decoders' present outputs (batch 1).
 */
package io.latentlink.core.wire;
