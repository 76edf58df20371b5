package io.latentlink.core.codec;

import java.util.Collection;

/** A codec id that the registry does not know, for instance from a peer running a newer version. */
public class UnknownCodecException extends IllegalArgumentException {

    private final String id;

    public UnknownCodecException(String id, Collection<String> known) {
        super("unknown KV codec '" + id + "'; known codecs: " + String.join(", ", known));
        this.id = id;
    }

    /** The id that was asked for. */
    public String id() {
        return id;
    }
}
