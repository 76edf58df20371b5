/** LatentLink core: plain Java, no Quarkus or gRPC. */
package io.latentlink.core;
