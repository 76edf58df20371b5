package io.latentlink.core.tokenizer;

import java.util.Locale;

/**
 * How {@link TokenAligner} picks one sharer token for a receiver token among the sharer tokens whose spans overlap
 * the receiver token's core (its span without leading spaces). Sharer tokens are taken in sequence order, so "first"
 * and "last" also break ties between byte-level tokens that share one character's span.
 */
public enum AlignmentStrategy {
    /** The earliest overlapping sharer token: the one holding the first character after the leading spaces. */
    FIRST,
    /**
     * The latest overlapping sharer token: the one holding the receiver token's last character (for a byte-level
     * sharer, the token with that character's final byte), which has read the whole receiver token.
     */
    LAST,
    /** The sharer token sharing the most characters with the receiver token's core; ties go to the later token. */
    LONGEST;

    /**
     * Parses a strategy name as written in a fuser manifest ({@code "first"}, {@code "last"}, {@code "longest"}),
     * ignoring case.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static AlignmentStrategy parse(String name) {
        for (AlignmentStrategy s : values()) {
            if (s.name().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown alignment strategy '" + name + "'; expected one of first, last, longest");
    }

    /** The manifest spelling: lower case. */
    public String manifestName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
