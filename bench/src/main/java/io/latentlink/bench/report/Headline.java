package io.latentlink.bench.report;

/** One row of the report's headline table: what, how much, from which file. */
public record Headline(String metric, String value, String source) {
}
