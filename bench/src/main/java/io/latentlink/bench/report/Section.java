package io.latentlink.bench.report;

import java.util.List;

/**
 * One benchmark's part of the report.
 *
 * @param title     the section heading
 * @param body      Markdown under the heading: tables and embedded plots (links relative to the results folder)
 * @param headlines rows it contributes to the report's headline table
 */
public record Section(String title, String body, List<Headline> headlines) {
}
