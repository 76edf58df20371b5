package io.latentlink.core.cli;

import io.latentlink.core.model.TokenListener;
import io.latentlink.core.model.TokenText;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Prints tokens as they come. Byte-level tokens only form a character together, so the whole continuation is decoded
 * each time and only the new, complete text is printed.
 */
final class StreamingPrinter implements TokenListener {
    private final TokenText text;
    private final PrintStream out;
    private long[] tokens = new long[16];
    private int count;
    private int printedChars;

    StreamingPrinter(TokenText text, PrintStream out) {
        this.text = text;
        this.out = out;
    }

    @Override
    public boolean onToken(int index, long tokenId) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, count * 2);
        }
        tokens[count++] = tokenId;
        String decoded = text.decode(Arrays.copyOf(tokens, count));
        if (!decoded.endsWith("\uFFFD") && decoded.length() > printedChars) {
            out.print(decoded.substring(printedChars));
            out.flush();
            printedChars = decoded.length();
        }
        return true;
    }
}
