package org.reconvene.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's figures as PNG: top-1 against compression per method, batch-1 latency against
 * sparsity per method, top-1 against latency with the Pareto front (searches and sweeps alike),
 * and the per-layer density and sensitivity of one Reconvene trial.
 * Rendered headless with XChart (Java2D), so they work on servers without a display.
 */
public final class ReportPlots {

    /** One colour per method, the same in every figure. */
    private static final Map<String, Color> COLORS = Map.of(
            "dense", new Color(90, 90, 90),
            "upai", new Color(31, 119, 180),
            "spai-random", new Color(148, 103, 189),
            "spai-l1", new Color(44, 160, 44),
            "spai-layerwise", new Color(140, 86, 75),
            "reconvene", new Color(214, 39, 40));

    /** One marker per method, the same in every figure (XChart would otherwise cycle them by series order). */
    private static final Map<String, org.knowm.xchart.style.markers.Marker> MARKERS = Map.of(
            "dense", SeriesMarkers.SQUARE,
            "upai", SeriesMarkers.CIRCLE,
            "spai-random", SeriesMarkers.TRIANGLE_DOWN,
            "spai-l1", SeriesMarkers.TRIANGLE_UP,
            "spai-layerwise", SeriesMarkers.CROSS,
            "reconvene", SeriesMarkers.DIAMOND);

    private ReportPlots() {}

    private static Color color(String method) {
        return COLORS.getOrDefault(method, Color.BLACK);
    }

    /** Colours and marks a series of {@code method}'s points. */
    private static XYSeries styled(XYSeries s, String method) {
        s.setMarkerColor(color(method));
        s.setLineColor(color(method));
        s.setMarker(MARKERS.getOrDefault(method, SeriesMarkers.CIRCLE));
        return s;
    }

    /**
     * The report's figures by file name (without extension), in a fixed order; a figure whose
     * data the report lacks (no Reconvene trial, say) is left out.
     */
    public static Map<String, Chart<?, ?>> charts(ReportJob.Report r) {
        System.setProperty("java.awt.headless", "true");
        Map<String, Chart<?, ?>> out = new LinkedHashMap<>();
        accuracyVsCompression(r.stats()).ifPresent(c -> out.put("top1_vs_compression", c));
        latencyVsSparsity(r.stats()).ifPresent(c -> out.put("latency_vs_sparsity", c));
        pareto(r.tradeOffs()).ifPresent(c -> out.put("pareto_top1_vs_latency", c));
        Row rc = r.reconveneTrial();
        if (rc != null && rc.getList(rc.fieldIndex("layers")) != null && !rc.getList(rc.fieldIndex("layers")).isEmpty()) {
            out.put("reconvene_layers", layers(rc));
        }
        return out;
    }

    /** The figures rendered as images, for display in a notebook. */
    public static Map<String, BufferedImage> images(ReportJob.Report r) {
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        charts(r).forEach((name, c) -> out.put(name, BitmapEncoder.getBufferedImage(c)));
        return out;
    }

    /** Writes each figure as {@code <name>.png} into {@code dir}. */
    static void write(ReportJob.Report r, Path dir) {
        charts(r).forEach((name, c) -> save(c, dir.resolve(name)));
    }

    private static Optional<XYChart> accuracyVsCompression(List<MethodStats> stats) {
        Map<String, List<double[]>> byMethod = new LinkedHashMap<>();
        for (MethodStats s : stats) {
            if (!Double.isNaN(s.compression()) && !Double.isNaN(s.top1Mean())) {
                byMethod.computeIfAbsent(s.method(), k -> new ArrayList<>()).add(new double[] {s.compression(), s.top1Mean()});
            }
        }
        if (byMethod.isEmpty()) {
            return Optional.empty();
        }
        XYChart c = new XYChartBuilder().width(900).height(600).title("Top-1 against compression")
                .xAxisTitle("compression (dense params / nonzero params, log scale)").yAxisTitle("top-1").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        byMethod.forEach((m, pts) -> styled(c.addSeries(m, pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray()), m));
        return Optional.of(c);
    }

    /**
     * Batch-1 latency against sparsity, per method (the mean over scorers sharing a sparsity), with
     * the dense network's latency as a dashed line: with one sparsity only, the methods' latencies at
     * it as bars, dense among them.
     */
    private static Optional<Chart<?, ?>> latencyVsSparsity(List<MethodStats> stats) {
        Map<String, Map<Double, double[]>> byMethod = new LinkedHashMap<>();
        double[] dense = new double[2];
        for (MethodStats s : stats) {
            if (Double.isNaN(s.latencyMsB1())) {
                continue;
            }
            if (s.sparsity() == null) {
                if (s.method().equals("dense")) {
                    dense[0] += s.latencyMsB1();
                    dense[1]++;
                }
                continue;
            }
            double[] sumCount = byMethod.computeIfAbsent(s.method(), k -> new TreeMap<>())
                    .computeIfAbsent(s.sparsity(), k -> new double[2]);
            sumCount[0] += s.latencyMsB1();
            sumCount[1]++;
        }
        if (byMethod.isEmpty()) {
            return Optional.empty();
        }
        java.util.SortedSet<Double> sparsities = new java.util.TreeSet<>();
        byMethod.values().forEach(m -> sparsities.addAll(m.keySet()));
        if (sparsities.size() == 1) {
            CategoryChart bars = new CategoryChartBuilder().width(900).height(600)
                    .title("Batch-1 latency at sparsity " + sparsities.first()).xAxisTitle("method")
                    .yAxisTitle("latency, batch 1 (ms)").build();
            bars.getStyler().setLegendVisible(false);
            List<String> names = new ArrayList<>();
            List<Double> ms = new ArrayList<>();
            if (dense[1] > 0) {
                names.add("dense");
                ms.add(dense[0] / dense[1]);
            }
            byMethod.forEach((m, pts) -> {
                names.add(m);
                ms.add(pts.values().iterator().next()[0] / pts.values().iterator().next()[1]);
            });
            bars.addSeries("latency", names, ms);
            return Optional.of(bars);
        }
        XYChart c = new XYChartBuilder().width(900).height(600).title("Batch-1 latency against sparsity")
                .xAxisTitle("sparsity").yAxisTitle("latency, batch 1 (ms)").build();
        byMethod.forEach((m, pts) -> styled(c.addSeries(m, pts.keySet().stream().mapToDouble(Double::doubleValue)
                .toArray(), pts.values().stream().mapToDouble(v -> v[0] / v[1]).toArray()), m));
        if (dense[1] > 0) {
            double ms = dense[0] / dense[1];
            XYSeries d = c.addSeries("dense", new double[] {sparsities.first(), sparsities.last()}, new double[] {ms, ms});
            styled(d, "dense").setMarker(SeriesMarkers.NONE);
            d.setLineStyle(SeriesLines.DASH_DASH);
        }
        return Optional.of(c);
    }

    /**
     * Top-1 against batch-1 latency of every trial: the front (highest top-1 for the latency)
     * joined by a line, OK trials by method, and a search's infeasible candidates faint at
     * top-1 0, since they were never trained.
     */
    private static Optional<XYChart> pareto(List<ReportJob.TradeOff> points) {
        if (points.isEmpty()) {
            return Optional.empty();
        }
        XYChart c = new XYChartBuilder().width(900).height(600).title("Top-1 against batch-1 latency (front joined)")
                .xAxisTitle("latency, batch 1 (ms)").yAxisTitle("top-1").build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(8);
        Map<String, List<ReportJob.TradeOff>> ok = new LinkedHashMap<>();
        List<ReportJob.TradeOff> infeasible = new ArrayList<>();
        List<ReportJob.TradeOff> front = new ArrayList<>();
        for (ReportJob.TradeOff p : points) {
            if ("INFEASIBLE".equals(p.status()) || p.top1() == null) {
                infeasible.add(p);
            } else {
                ok.computeIfAbsent(p.method(), k -> new ArrayList<>()).add(p);
                if (p.onFront()) {
                    front.add(p);
                }
            }
        }
        ok.forEach((m, pts) -> styled(c.addSeries(m, pts.stream().mapToDouble(ReportJob.TradeOff::latencyMsB1)
                .toArray(), pts.stream().mapToDouble(ReportJob.TradeOff::top1).toArray()), m));
        if (!infeasible.isEmpty()) {
            c.addSeries("infeasible (not trained)", infeasible.stream().mapToDouble(ReportJob.TradeOff::latencyMsB1)
                    .toArray(), new double[infeasible.size()]).setMarkerColor(new Color(200, 200, 200));
        }
        if (!front.isEmpty()) {
            front.sort(java.util.Comparator.comparingDouble(ReportJob.TradeOff::latencyMsB1));
            XYSeries f = c.addSeries("front", front.stream().mapToDouble(ReportJob.TradeOff::latencyMsB1).toArray(),
                    front.stream().mapToDouble(ReportJob.TradeOff::top1).toArray());
            f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            f.setLineColor(Color.BLACK);
            f.setMarker(SeriesMarkers.NONE);
        }
        return Optional.of(c);
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

    private static void save(Chart<?, ?> chart, Path base) {
        try {
            BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + base + ".png", e);
        }
    }
}
