package org.reconvene.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Turns a results table into the paper's comparison tables: for each model, dataset, scorer and
 * sparsity, the dense, unstructured, SPaI and Reconvene rows with top-1 over seeds, its change
 * against dense and upai, size, compute, latency, speedup and prune time; and a headline table of
 * Reconvene's best size ratio and speedup whose top-1 stays within a tolerance of upai; and the
 * figures of {@link ReportPlots}.
 *
 * <p>Run with {@code bin/reconvene report --results results --out report/}. Aggregation is Spark
 * SQL over the OK rows; the small aggregated table is then arranged on the driver. Speedups are
 * only those measured in one task against the unstructured counterpart (docs/METHOD.md section 7).
 */
public final class ReportJob {

    /**
     * The tables of a report: per-setting statistics, the comparison tables keyed by setting, the
     * headline rows, the tolerance they were picked with, and the Reconvene trial whose layers the
     * per-layer figure shows (null when there is none).
     */
    public record Report(List<MethodStats> stats, Map<String, List<MethodStats>> tables,
            List<Map<String, Object>> headline, double tolerance, Row reconveneTrial, List<TradeOff> tradeOffs,
            List<Int8Stats> int8) {

        /** The report as Markdown: the headline table, then one comparison table per setting. */
        public String markdown() {
            return ReportJob.markdown(this);
        }
    }

    private static final List<String> ORDER = List.of("dense", "upai", "spai-random", "spai-l1", "spai-layerwise",
            "reconvene");

    private ReportJob() {}

    /**
     * Builds the report of a results table (as {@link Results#load} reads it). Nothing is written:
     * {@link #write} writes the files, and notebooks show {@link Report#markdown()} and the
     * figures inline.
     *
     * @param results every row of the results table; FAILED rows are left out here
     * @param sweep only this sweep, or null for all
     * @param tolerance the largest top-1 drop below upai a headline entry may have
     */
    /**
     * One trial's place in the accuracy/latency trade-off: its batch-1 latency, its top-1 (null
     * for a search candidate that was never trained), its status and whether it is on the front
     * (the non-dominated OK trials: highest top-1, lowest latency).
     */
    public record TradeOff(String method, String status, double latencyMsB1, Double top1, boolean onFront) {}

    /**
     * float32 and int8 side by side for one (model, dataset, method, scorer, sparsity), over the
     * trials that exported int8 files (docs/METHOD.md section 7): top-1 of each, file sizes plain
     * and gzipped in MB, ONNX Runtime batch-1 latencies, and for Reconvene the int8 ratios to upai.
     */
    public record Int8Stats(String model, String dataset, String method, String scorer, Double sparsity, long seeds,
            double top1, double top1Int8, double onnxMb, double int8Mb, double onnxGzipMb, double int8GzipMb,
            double ortB1, double ortInt8B1, Double sizeRatioInt8, Double speedupInt8B1) {

        /** The columns, in the order of {@link #cells()}. */
        static final List<String> COLUMNS = List.of("model", "dataset", "method", "scorer", "sparsity", "seeds",
                "top1", "top1 int8", "int8 - float32 (points)", "ONNX MB", "int8 MB", "ONNX gz MB", "int8 gz MB",
                "ORT b1 ms", "ORT int8 b1 ms", "int8 size ratio vs upai", "int8 speedup b1 vs upai");

        /** The row's values, in the order of {@link #COLUMNS}. */
        List<Object> cells() {
            return java.util.Arrays.asList(model, dataset, method, scorer, sparsity, seeds, top1, top1Int8,
                    100 * (top1Int8 - top1), onnxMb, int8Mb, onnxGzipMb, int8GzipMb, ortB1, ortInt8B1, sizeRatioInt8,
                    speedupInt8B1);
        }
    }

    /** The int8 table: every group of OK trials with int8 columns. */
    static List<Int8Stats> int8(SparkSession spark) {
        Dataset<Row> agg = spark.sql(
                "SELECT model, dataset, method, scorer, sparsity, count(*) AS seeds, avg(top1) AS top1,"
                        + " avg(top1_int8) AS top1_int8, avg(onnx_bytes) / 1e6 AS onnx_mb,"
                        + " avg(onnx_int8_bytes) / 1e6 AS int8_mb, avg(onnx_gzip_bytes) / 1e6 AS onnx_gz_mb,"
                        + " avg(onnx_int8_gzip_bytes) / 1e6 AS int8_gz_mb, avg(latency_ort_ms_b1) AS ort_b1,"
                        + " avg(latency_ort_int8_ms_b1) AS ort_int8_b1, avg(size_ratio_int8) AS size_ratio_int8,"
                        + " avg(speedup_ort_int8_b1) AS speedup_int8_b1 FROM trials WHERE onnx_int8_bytes IS NOT NULL"
                        + " AND top1_int8 IS NOT NULL GROUP BY model, dataset, method, scorer, sparsity"
                        + " ORDER BY model, dataset, sparsity, method");
        List<Int8Stats> out = new ArrayList<>();
        for (Row r : agg.collectAsList()) {
            out.add(new Int8Stats(r.getAs("model"), r.getAs("dataset"), r.getAs("method"), r.getAs("scorer"),
                    r.getAs("sparsity"), r.<Long>getAs("seeds"), d(r, "top1"), d(r, "top1_int8"), d(r, "onnx_mb"),
                    d(r, "int8_mb"), d(r, "onnx_gz_mb"), d(r, "int8_gz_mb"), d(r, "ort_b1"), d(r, "ort_int8_b1"),
                    r.getAs("size_ratio_int8"), r.getAs("speedup_int8_b1")));
        }
        return out;
    }

    public static Report build(Dataset<Row> results, String sweep, double tolerance) {
        SparkSession spark = results.sparkSession();
        Dataset<Row> rows = results.filter("status = 'OK'");
        if (sweep != null) {
            rows = rows.filter(rows.col("sweep_id").equalTo(sweep));
        }
        rows = Results.distinctTrials(rows);
        rows.createOrReplaceTempView("trials");
        Dataset<Row> agg = spark.sql(
                "SELECT model, dataset, method, scorer, sparsity, count(*) AS seeds, avg(top1) AS top1_mean,"
                        + " stddev_samp(top1) AS top1_std, avg(params) AS params,"
                        + " avg(params_nonzero) AS params_nonzero, avg(serialized_bytes) / 1e6 AS size_mb,"
                        + " avg(compression) AS compression, avg(macs_nonzero) AS macs,"
                        + " avg(latency_ms_b1) AS latency_ms_b1, avg(latency_ms_b64) AS latency_ms_b64,"
                        + " avg(size_ratio) AS size_ratio, avg(speedup_b1) AS speedup_b1, avg(prune_ms) AS prune_ms,"
                        + " avg(onnx_gzip_bytes) / 1e6 AS onnx_gzip_mb, avg(latency_ort_ms_b1) AS latency_ort_ms_b1,"
                        + " avg(latency_ort_ms_b64) AS latency_ort_ms_b64, avg(speedup_ort_b1) AS speedup_ort_b1"
                        + " FROM trials GROUP BY model, dataset, method, scorer, sparsity");
        List<MethodStats> stats = new ArrayList<>();
        for (Row r : agg.collectAsList()) {
            stats.add(new MethodStats(r.getAs("model"), r.getAs("dataset"), r.getAs("method"), r.getAs("scorer"),
                    r.getAs("sparsity"), r.<Long>getAs("seeds"), d(r, "top1_mean"), d(r, "top1_std"), d(r, "params"),
                    d(r, "params_nonzero"), d(r, "size_mb"), d(r, "compression"), d(r, "macs"),
                    d(r, "latency_ms_b1"), d(r, "latency_ms_b64"), r.getAs("size_ratio"), r.getAs("speedup_b1"),
                    d(r, "prune_ms"), d(r, "onnx_gzip_mb"), d(r, "latency_ort_ms_b1"), d(r, "latency_ort_ms_b64"),
                    r.getAs("speedup_ort_b1")));
        }
        Map<String, List<MethodStats>> tables = tables(stats);
        List<Map<String, Object>> headline = headline(tables, tolerance);
        List<Row> rc = rows.filter("method = 'reconvene'").orderBy(rows.col("sparsity").desc(), rows.col("trial_id"))
                .limit(1).collectAsList();
        return new Report(stats, tables, headline, tolerance, rc.isEmpty() ? null : rc.get(0),
                tradeOffs(results, sweep), int8(spark));
    }

    /** OK and INFEASIBLE trials (a search's last row of each) with the front of the OK ones marked. */
    static List<TradeOff> tradeOffs(Dataset<Row> results, String sweep) {
        Dataset<Row> rows = results.filter("status = 'OK' OR status = 'INFEASIBLE'");
        if (sweep != null) {
            rows = rows.filter(rows.col("sweep_id").equalTo(sweep));
        }
        // one row per trial: for a search the latest rung (its rows share the trial id)
        List<Row> all = Results.distinctTrials(rows).filter("latency_ms_b1 IS NOT NULL")
                .select("method", "status", "latency_ms_b1", "top1").orderBy("method", "latency_ms_b1").collectAsList();
        List<double[]> ok = new ArrayList<>();
        List<Integer> okIndex = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Row x = all.get(i);
            if ("OK".equals(x.getAs("status")) && x.getAs("top1") != null) {
                ok.add(new double[] {-x.<Double>getAs("top1"), x.<Double>getAs("latency_ms_b1")});
                okIndex.add(i);
            }
        }
        java.util.Set<Integer> front = new java.util.HashSet<>();
        for (int k : org.reconvene.pareto.Pareto.front(ok)) {
            front.add(okIndex.get(k));
        }
        List<TradeOff> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Row x = all.get(i);
            out.add(new TradeOff(x.getAs("method"), x.getAs("status"), x.<Double>getAs("latency_ms_b1"),
                    x.getAs("top1"), front.contains(i)));
        }
        return out;
    }

    private static double d(Row r, String c) {
        Object v = r.getAs(c);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /**
     * One table per (model, dataset, scorer, sparsity) of a scored method: the scored methods at
     * that point, the uniform baselines at that sparsity and the dense network of that model.
     */
    static Map<String, List<MethodStats>> tables(List<MethodStats> stats) {
        Map<String, List<MethodStats>> out = new LinkedHashMap<>();
        List<MethodStats> points = stats.stream().filter(s -> s.scorer() != null && s.sparsity() != null)
                .sorted((a, b) -> key(a).compareTo(key(b))).toList();
        for (MethodStats p : points) {
            String k = key(p);
            if (out.containsKey(k)) {
                continue;
            }
            List<MethodStats> rows = new ArrayList<>();
            for (MethodStats s : stats) {
                boolean sameNet = s.model().equals(p.model()) && s.dataset().equals(p.dataset());
                boolean member = s.method().equals("dense")
                        || (Objects.equals(s.sparsity(), p.sparsity())
                                && (s.scorer() == null || s.scorer().equals(p.scorer())));
                if (sameNet && member) {
                    rows.add(s);
                }
            }
            rows.sort((a, b) -> Integer.compare(rank(a.method()), rank(b.method())));
            out.put(k, rows);
        }
        return out;
    }

    private static String key(MethodStats s) {
        return s.model() + " / " + s.dataset() + " / " + s.scorer() + " / sparsity "
                + String.format(Locale.ROOT, "%.4f", s.sparsity());
    }

    private static int rank(String method) {
        int i = ORDER.indexOf(method);
        return i < 0 ? ORDER.size() : i;
    }

    /** Per model and dataset: Reconvene's largest size ratio and speedup with top-1 within tolerance of upai. */
    static List<Map<String, Object>> headline(Map<String, List<MethodStats>> tables, double tolerance) {
        Map<String, Map<String, Object>> best = new LinkedHashMap<>();
        for (List<MethodStats> t : tables.values()) {
            MethodStats upai = find(t, "upai");
            MethodStats rc = find(t, "reconvene");
            if (upai == null || rc == null || rc.top1Mean() < upai.top1Mean() - tolerance) {
                continue;
            }
            Map<String, Object> h = best.computeIfAbsent(rc.model() + " / " + rc.dataset(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", rc.model());
                m.put("dataset", rc.dataset());
                return m;
            });
            if (rc.sizeRatio() != null && rc.sizeRatio() > (double) h.getOrDefault("size_ratio", 0.0)) {
                h.put("size_ratio", rc.sizeRatio());
                h.put("size_ratio_at", rc.scorer() + " @ " + rc.sparsity());
            }
            if (rc.speedupB1() != null && rc.speedupB1() > (double) h.getOrDefault("speedup_b1", 0.0)) {
                h.put("speedup_b1", rc.speedupB1());
                h.put("speedup_b1_at", rc.scorer() + " @ " + rc.sparsity());
            }
        }
        return new ArrayList<>(best.values());
    }

    private static MethodStats find(List<MethodStats> t, String method) {
        return t.stream().filter(s -> s.method().equals(method)).findFirst().orElse(null);
    }

    private static String markdown(Report r) {
        StringBuilder md = new StringBuilder("# Reconvene results\n\n");
        md.append("## Headline: Reconvene within ").append(r.tolerance()).append(" top-1 of upai\n\n")
                .append("| model / dataset | best size ratio | at | best speedup b1 | at |\n| --- | --- | --- | --- | --- |\n");
        for (Map<String, Object> h : r.headline()) {
            md.append(String.format(Locale.ROOT, "| %s / %s | %s | %s | %s | %s |%n", h.get("model"), h.get("dataset"),
                    fmt(h.get("size_ratio")), h.getOrDefault("size_ratio_at", ""), fmt(h.get("speedup_b1")),
                    h.getOrDefault("speedup_b1_at", "")));
        }
        for (Map.Entry<String, List<MethodStats>> t : r.tables().entrySet()) {
            MethodStats dense = find(t.getValue(), "dense");
            MethodStats upai = find(t.getValue(), "upai");
            md.append("\n## ").append(t.getKey()).append("\n\n")
                    .append("| method | seeds | top1 | ± | vs dense | vs upai | params | nonzero | size MB | compression"
                            + " | MACs | latency b1 ms | latency b64 ms | size ratio | speedup b1 vs upai | prune ms"
                            + " | ONNX gz MB | ORT b1 ms | ORT b64 ms | ORT speedup b1 vs upai |\n")
                    .append("|" + " --- |".repeat(20) + "\n");
            for (MethodStats s : t.getValue()) {
                md.append(String.format(Locale.ROOT,
                        "| %s | %d | %.4f | %s | %s | %s | %,.0f | %,.0f | %.3f | %.2f | %,.0f | %.2f | %.2f | %s | %s | %,.0f"
                                + " | %s | %s | %s | %s |%n",
                        s.method(), s.seeds(), s.top1Mean(), spread(s), vs(s, dense), vs(s, upai), s.params(),
                        s.paramsNonzero(), s.sizeMb(), s.compression(), s.macs(), s.latencyMsB1(), s.latencyMsB64(),
                        fmt(s.sizeRatio()), fmt(s.speedupB1()), s.pruneMs(), fmt(s.onnxGzipMb()),
                        fmt(s.latencyOrtMsB1()), fmt(s.latencyOrtMsB64()), fmt(s.speedupOrtB1())));
            }
        }
        if (!r.int8().isEmpty()) {
            md.append("\n## Deployment: float32 and int8 files\n\n| ")
                    .append(String.join(" | ", Int8Stats.COLUMNS)).append(" |\n|")
                    .append(" --- |".repeat(Int8Stats.COLUMNS.size())).append("\n");
            for (Int8Stats q : r.int8()) {
                md.append("|");
                for (Object c : q.cells()) {
                    md.append(" ").append(c instanceof Double x ? String.format(Locale.ROOT, "%.4f", x)
                            : c == null ? "" : c).append(" |");
                }
                md.append("\n");
            }
        }
        return md.toString();
    }

    /** Writes report.md, comparison.csv, headline.csv and the PNG figures into {@code dir}. */
    public static void write(Report r, Path dir) {
        StringBuilder csv = new StringBuilder("model,dataset,table_scorer,table_sparsity,method,scorer,sparsity,seeds,"
                + "top1_mean,top1_std,top1_vs_dense,"
                + "top1_vs_upai,params,params_nonzero,size_mb,compression,macs,latency_ms_b1,latency_ms_b64,"
                + "size_ratio,speedup_b1_vs_upai,prune_ms,onnx_gzip_mb,latency_ort_ms_b1,latency_ort_ms_b64,"
                + "speedup_ort_b1_vs_upai\n");
        StringBuilder hcsv = new StringBuilder("model,dataset,size_ratio,size_ratio_at,speedup_b1,speedup_b1_at\n");
        for (Map<String, Object> h : r.headline()) {
            hcsv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s%n", h.get("model"), h.get("dataset"),
                    fmt(h.get("size_ratio")), h.getOrDefault("size_ratio_at", ""), fmt(h.get("speedup_b1")),
                    h.getOrDefault("speedup_b1_at", "")));
        }
        for (Map.Entry<String, List<MethodStats>> t : r.tables().entrySet()) {
            MethodStats dense = find(t.getValue(), "dense");
            MethodStats upai = find(t.getValue(), "upai");
            MethodStats point = t.getValue().stream().filter(x -> x.scorer() != null && x.sparsity() != null)
                    .findFirst().orElseThrow();
            for (MethodStats s : t.getValue()) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s,%d,%.6f,%s,%s,%s,%.0f,%.0f,%.6f,%.6f,%.0f,%.6f,%.6f,%s,%s,%.0f,%s,%s,%s,%s%n",
                        point.model(), point.dataset(), point.scorer(), point.sparsity(), s.method(),
                        s.scorer() == null ? "" : s.scorer(), s.sparsity() == null ? "" : s.sparsity(), s.seeds(),
                        s.top1Mean(), fmt(s.seeds() > 1 ? s.top1Std() : null), vs(s, dense),
                        vs(s, upai), s.params(), s.paramsNonzero(), s.sizeMb(), s.compression(), s.macs(),
                        s.latencyMsB1(), s.latencyMsB64(), fmt(s.sizeRatio()), fmt(s.speedupB1()), s.pruneMs(),
                        fmt(s.onnxGzipMb()), fmt(s.latencyOrtMsB1()), fmt(s.latencyOrtMsB64()), fmt(s.speedupOrtB1())));
            }
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.md"), r.markdown());
            Files.writeString(dir.resolve("comparison.csv"), csv);
            Files.writeString(dir.resolve("headline.csv"), hcsv);
            if (!r.int8().isEmpty()) {
                StringBuilder q = new StringBuilder("model,dataset,method,scorer,sparsity,seeds,top1,top1_int8,"
                        + "int8_minus_float32_points,onnx_mb,int8_mb,onnx_gzip_mb,int8_gzip_mb,latency_ort_ms_b1,"
                        + "latency_ort_int8_ms_b1,size_ratio_int8_vs_upai,speedup_ort_int8_b1_vs_upai\n");
                for (Int8Stats s : r.int8()) {
                    q.append(String.join(",", s.cells().stream().map(c -> c instanceof Double x
                            ? String.format(Locale.ROOT, "%.6f", x) : c == null ? "" : c.toString()).toList()))
                            .append('\n');
                }
                Files.writeString(dir.resolve("int8.csv"), q);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir, e);
        }
        ReportPlots.write(r, dir);
    }

    /** The standard deviation of top-1 over seeds; blank for one seed, which has none. */
    private static String spread(MethodStats s) {
        return s.seeds() > 1 ? fmt(s.top1Std()) : "";
    }

    private static String vs(MethodStats s, MethodStats reference) {
        return reference == null ? "" : fmt(s.top1Mean() - reference.top1Mean());
    }

    private static String fmt(Object v) {
        if (v == null) {
            return "";
        }
        double x = ((Number) v).doubleValue();
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.4f", x);
    }
}
