package io.latentlink.core.codec;

/**
 * An encoded KV payload cannot be decoded: wrong length for the declared shape, or values no encoder writes (such as
 * a negative or non-finite scale). Nothing was read outside the payload. Nodes map it to a DATA_LOSS status.
 */
public class CorruptPayloadException extends IllegalArgumentException {

    public CorruptPayloadException(String message) {
        super(message);
    }
}
