package io.latentlink.bench.scaling;

/** Whole-number flag values with the flag's name in the message. */
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
}
