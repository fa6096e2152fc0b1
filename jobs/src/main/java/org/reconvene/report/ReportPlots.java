package org.reconvene.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's figures as PNG: top-1 against compression per method, batch-1 latency against
 * sparsity per method, and the per-layer density and sensitivity of one Reconvene trial.
 * Rendered headless with XChart (Java2D), so they work on servers without a display.
 */
final class ReportPlots {

    private ReportPlots() {}

    static void write(Path dir, List<MethodStats> stats, Row reconveneTrial) {
        System.setProperty("java.awt.headless", "true");
        try {
            accuracyVsCompression(stats).ifPresent(c -> save(c, dir.resolve("top1_vs_compression")));
            latencyVsSparsity(stats).ifPresent(c -> save(c, dir.resolve("latency_vs_sparsity")));
            if (reconveneTrial != null && !reconveneTrial.getList(reconveneTrial.fieldIndex("layers")).isEmpty()) {
                save(layers(reconveneTrial), dir.resolve("reconvene_layers"));
            }
        } catch (UncheckedIOException e) {
            throw e;
        }
    }

    private static java.util.Optional<XYChart> accuracyVsCompression(List<MethodStats> stats) {
        Map<String, List<double[]>> byMethod = new LinkedHashMap<>();
        for (MethodStats s : stats) {
            if (!Double.isNaN(s.compression()) && !Double.isNaN(s.top1Mean())) {
                byMethod.computeIfAbsent(s.method(), k -> new ArrayList<>()).add(new double[] {s.compression(), s.top1Mean()});
            }
        }
        if (byMethod.isEmpty()) {
            return java.util.Optional.empty();
        }
        XYChart c = new XYChartBuilder().width(900).height(600).title("Top-1 against compression")
                .xAxisTitle("compression (dense params / nonzero params, log scale)").yAxisTitle("top-1").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        byMethod.forEach((m, pts) -> c.addSeries(m, pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray()));
        return java.util.Optional.of(c);
    }

    private static java.util.Optional<XYChart> latencyVsSparsity(List<MethodStats> stats) {
        Map<String, Map<Double, Double>> byMethod = new LinkedHashMap<>();
        for (MethodStats s : stats) {
            if (s.sparsity() != null && !Double.isNaN(s.latencyMsB1())) {
                // several scorers per sparsity: plot their mean
                byMethod.computeIfAbsent(s.method(), k -> new java.util.TreeMap<>())
                        .merge(s.sparsity(), s.latencyMsB1(), (a, b) -> (a + b) / 2);
            }
        }
        if (byMethod.isEmpty()) {
            return java.util.Optional.empty();
        }
        XYChart c = new XYChartBuilder().width(900).height(600).title("Batch-1 latency against sparsity")
                .xAxisTitle("sparsity").yAxisTitle("latency, batch 1 (ms)").build();
        byMethod.forEach((m, pts) -> {
            XYSeries s = c.addSeries(m, pts.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                    pts.values().stream().mapToDouble(Double::doubleValue).toArray());
            s.setMarker(SeriesMarkers.CIRCLE);
        });
        return java.util.Optional.of(c);
    }

    private static CategoryChart layers(Row trial) {
        List<Row> layers = trial.getList(trial.fieldIndex("layers"));
        List<String> names = new ArrayList<>();
        List<Double> density = new ArrayList<>();
        List<Double> sensitivity = new ArrayList<>();
        for (Row l : layers) {
            names.add(l.<String>getAs("name") + (Boolean.TRUE.equals(l.getAs("rectified")) ? " *" : ""));
            density.add(l.<Double>getAs("density"));
            Double s = l.getAs("sensitivity");
            sensitivity.add(s == null ? 0.0 : s);
        }
        CategoryChart c = new CategoryChartBuilder().width(1200).height(600)
                .title("Reconvene " + trial.getAs("model") + " " + trial.getAs("scorer") + " @ " + trial.getAs("sparsity")
                        + ": per-layer density and sensitivity (* = rebuilt)")
                .xAxisTitle("layer").yAxisTitle("fraction").build();
        c.getStyler().setXAxisLabelRotation(60);
        c.addSeries("density after pruning", names, density);
        c.addSeries("PSE sensitivity", names, sensitivity);
        return c;
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path base) {
        try {
            BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + base + ".png", e);
        }
    }
}
