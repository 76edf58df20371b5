/**
 * gRPC plumbing every node shares: latentlink.v1 chunk encoding and checking, status mapping, credit-flow-controlled
 * writers, and the in-flight accounting behind the Node.Status service. Compute stays out of here.
 */
package io.latentlink.transport;
