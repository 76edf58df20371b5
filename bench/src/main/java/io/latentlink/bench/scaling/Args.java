package io.latentlink.bench.scaling;

import java.util.List;

/** Whole-number and list flag values of the benchmark mains, with the flag's name in the message. */
public final class Args {
    private Args() {
    }

    public static int positive(String flag, String v) {
        int n = atLeastZero(flag, v);
        if (n == 0) {
            throw new IllegalArgumentException(flag + " must be > 0");
        }
        return n;
    }

    public static int atLeastZero(String flag, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number >= 0, got '" + v + "'");
        }
    }

    /** A comma-separated list of whole numbers > 0. */
    public static List<Integer> ints(String flag, String v) {
        return list(flag, v).stream().map(s -> positive(flag, s)).toList();
    }

    /** A comma-separated list without blank items. */
    public static List<String> list(String flag, String v) {
        List<String> l = List.of(v.split(",", -1));
        if (l.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(flag + " needs a comma-separated list, got '" + v + "'");
        }
        return l;
    }
}
