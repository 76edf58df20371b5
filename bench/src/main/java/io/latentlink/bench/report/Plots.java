package io.latentlink.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's charts, drawn headless with XChart into PNG files. Same numbers give the same bytes: fixed size,
 * fixed palette, series in insertion order, and the PNG written by ImageIO (no timestamps in the file).
 */
public final class Plots {
    static final int WIDTH = 900;
    static final int HEIGHT = 520;
    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    static {
        // Before any AWT class loads: the report runs on build machines without a display.
        System.setProperty("java.awt.headless", "true");
    }

    private final Path dir;
    private final List<Path> written = new ArrayList<>();

    /** @param dir the plots folder; created on the first chart */
    public Plots(Path dir) {
        this.dir = dir;
    }

    public List<Path> written() {
        return List.copyOf(written);
    }

    /** Bars per category, one bar per series side by side ({@code stacked}: on top of each other). */
    String bars(String file, String title, String yTitle, List<String> categories, Map<String, List<Double>> series,
                boolean stacked) {
        // Many categories (codec x shape x data) need room for their labels; XChart drops labels that overlap.
        boolean many = categories.size() > 8;
        CategoryChart chart = new CategoryChartBuilder().width(many ? 1400 : WIDTH).height(many ? 760 : HEIGHT)
                .title(title).yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setStacked(stacked);
        chart.getStyler().setXAxisLabelRotation(many ? 90 : categories.size() > 4 ? 20 : 0);
        chart.getStyler().setXAxisMaxLabelCount(categories.size());
        chart.getStyler().setXAxisTickMarkSpacingHint(10);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setYAxisMin(0.0);
        series.forEach((name, values) -> chart.addSeries(name, categories, values.stream().map(Plots::zeroIfNaN).toList()));
        return save(chart, file);
    }

    /** Lines over x (points marked); NaN points are left out; {@code logX} for token counts spanning decades. */
    String lines(String file, String title, String xTitle, String yTitle, Map<String, double[][]> series, boolean logX) {
        return lines(file, title, xTitle, yTitle, series, logX, null);
    }

    /** As {@link #lines}, with {@code reference} (a series name, or null) drawn dashed without markers. */
    String lines(String file, String title, String xTitle, String yTitle, Map<String, double[][]> series, boolean logX,
                 String reference) {
        // A row of more than four legend entries runs off the image; a column beside the plot does not.
        boolean manySeries = series.size() > 4;
        XYChart chart = new XYChartBuilder().width(manySeries ? 1200 : WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        if (manySeries) {
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setYAxisMin(0.0);
        int i = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] xy = withoutNaN(e.getValue());
            if (xy[0].length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(PALETTE[i % PALETTE.length]);
            s.setMarkerColor(PALETTE[i % PALETTE.length]);
            if (e.getKey().equals(reference)) {
                s.setMarker(SeriesMarkers.NONE);
                s.setLineStyle(SeriesLines.DASH_DASH);
            }
            i++;
        }
        return save(chart, file);
    }

    /** A horizontal reference line (e.g. iperf3's rate) to add to {@link #lines}' series. */
    static double[][] horizontal(double y, double xMin, double xMax) {
        return new double[][]{{xMin, xMax}, {y, y}};
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setSeriesColors(PALETTE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setAntiAlias(true);
    }

    private String save(Chart<?, ?> chart, String file) {
        try {
            Files.createDirectories(dir);
            Path out = dir.resolve(file);
            BufferedImage image = BitmapEncoder.getBufferedImage(chart);
            if (!ImageIO.write(image, "png", out.toFile())) {
                throw new IOException("no PNG writer in this JVM");
            }
            written.add(out);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    private static double zeroIfNaN(Double v) {
        return v == null || Double.isNaN(v) ? 0.0 : v;
    }

    private static double[][] withoutNaN(double[][] xy) {
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < xy[0].length; i++) {
            if (!Double.isNaN(xy[0][i]) && !Double.isNaN(xy[1][i])) {
                kept.add(new double[]{xy[0][i], xy[1][i]});
            }
        }
        kept.sort((a, b) -> Double.compare(a[0], b[0]));
        double[][] out = new double[2][kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            out[0][i] = kept.get(i)[0];
            out[1][i] = kept.get(i)[1];
        }
        return out;
    }

    /** Groups points into named series keeping first-seen order, for {@link #lines}. */
    static final class SeriesBuilder {
        private final Map<String, List<double[]>> points = new LinkedHashMap<>();

        void add(String series, double x, double y) {
            points.computeIfAbsent(series, k -> new ArrayList<>()).add(new double[]{x, y});
        }

        Map<String, double[][]> build() {
            Map<String, double[][]> out = new LinkedHashMap<>();
            points.forEach((name, pts) -> {
                double[][] xy = new double[2][pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    xy[0][i] = pts.get(i)[0];
                    xy[1][i] = pts.get(i)[1];
                }
                out.put(name, xy);
            });
            return out;
        }

        boolean isEmpty() {
            return points.isEmpty();
        }
    }
}
