package io.latentlink.core.wire;

/** A chunk or stream that breaks the wire contract. {@link Kind} tells the transport which status to answer. */
public final class WireException extends RuntimeException {

    public enum Kind {
        /** Fields missing or inconsistent (shape vs ranges, dtype, layout). */
        MALFORMED,
        /** A codec id nobody registered, or parameters it refuses. */
        UNSUPPORTED_CODEC,
        /** Payload does not match its CRC32C, or does not decode to its declared size. */
        CORRUPT,
        /** Sequence number gap or repeat. */
        OUT_OF_ORDER,
        /** Chunk bigger than the agreed maximum. */
        TOO_LARGE,
        /** Model id or manifest hash this node does not host. */
        UNKNOWN_MODEL,
        /** Peer sent more chunks than it was credited, or messages in the wrong order. */
        PROTOCOL
    }

    private final Kind kind;

    public WireException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
