/**
 * The compute side as the nodes see it: small value types and helpers shared by the sender, projector and receiver
 * engine seams. The gRPC services depend only on these and on each node's engine interface, never on ONNX.
 */
package io.latentlink.engine;
