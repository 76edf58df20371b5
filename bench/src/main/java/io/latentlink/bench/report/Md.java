package io.latentlink.bench.report;

import java.util.List;
import java.util.Locale;

/** Markdown tables and the number formats the report uses (Locale.ROOT, so the output does not depend on the host). */
final class Md {
    private Md() {
    }

    /** A table; {@code align} has one char per column: 'l' left, 'r' right. */
    static String table(List<String> header, String align, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", header.stream().map(Md::cell).toList())).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            sb.append(i < align.length() && align.charAt(i) == 'r' ? "---:|" : "---|");
        }
        sb.append('\n');
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row.stream().map(Md::cell).toList())).append(" |\n");
        }
        return sb.toString();
    }

    /** Table cells are one line and must not close the cell early. */
    static String cell(String s) {
        return s == null ? "-" : s.replace("\r", "").replace("\n", " ").replace("|", "\\|");
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Fixed decimals, "-" for not measured (NaN). */
    static String num(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String bytes(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String mib(double bytes) {
        return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%,.1f", bytes / (1024.0 * 1024.0));
    }

    static String image(String alt, String relativePath) {
        return "![" + alt + "](" + relativePath + ")\n";
    }
}
