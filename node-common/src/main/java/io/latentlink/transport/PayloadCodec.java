package io.latentlink.transport;

import java.nio.ByteBuffer;

/**
 * Turns a chunk's fp32 tensor into payload bytes and back.
 *
 * <p>Transport-side seam: when core's codec registry lands, {@link PayloadCodecs} delegates to it and this interface
 * stays the nodes' view of a codec.
 */
public interface PayloadCodec {

    String id();

    /** Upper bound of wire bytes per element, used to size chunks. */
    double bytesPerElement();

    byte[] encode(float[] values);

    /** Decodes exactly {@code elements} values; throws WireException(CORRUPT) if the payload does not fit. */
    float[] decode(ByteBuffer payload, int elements);
}
