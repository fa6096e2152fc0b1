package org.reconvene.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.metrics.MetricValues;
import org.reconvene.results.ResultTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.sweep.SparkTestBase;
import org.reconvene.trial.TrialResult;

/** The report's aggregation and arrangement, on result rows written by the real row writer. */
class ReportJobTest extends SparkTestBase {

    private static int next;

    private static void row(String results, String method, String scorer, Double sparsity, long seed, double top1,
            Double sizeRatio, Double speedup) {
        Map<String, Object> config = new HashMap<>();
        config.put("model", "resnet20");
        config.put("dataset", "synthetic");
        config.put("method", method);
        config.put("scorer", scorer);
        config.put("sparsity", sparsity);
        config.put("seed", seed);
        Map<String, Object> metrics = new HashMap<>();
        metrics.put("top1", top1);
        metrics.put("params", 1000L);
        metrics.put("params_nonzero", 100L);
        metrics.put("serialized_bytes", 4_000_000L);
        metrics.put("compression", 10.0);
        metrics.put("macs_nonzero", 5000L);
        metrics.put("latency_ms_b1", switch (method) {
            case "dense", "upai" -> 3.0 + 0.1 * seed;
            case "reconvene" -> 1.5;
            default -> 0.8;
        });
        metrics.put("latency_ms_b64", 20.0);
        metrics.put("prune_ms", 300L);
        metrics.put("size_ratio", sizeRatio);
        metrics.put("speedup_b1", speedup);
        ResultTable.at(results, new org.apache.hadoop.conf.Configuration()).commit("s", new TrialResult("t" + next++,
                null, TrialResult.Status.OK, null, null, config, MetricValues.fromColumns(metrics), List.of(), List.of(),
                Map.of()));
    }

    /** The rows of the tests: dense, upai, spai-l1 and Reconvene at two sparsities, two seeds where noted, one FAILED. */
    static void writeRows(String results) {
        row(results, "dense", null, null, 0, 0.70, null, null);
        row(results, "dense", null, null, 1, 0.80, null, null);
        for (double sp : new double[] {0.9, 0.99}) {
            row(results, "upai", "synflow", sp, 0, 0.60, null, null);
            row(results, "upai", "synflow", sp, 1, 0.62, null, null);
            row(results, "spai-l1", null, sp, 0, 0.50, null, null);
        }
        // within tolerance at 0.9 (size 4), not at 0.99 (size 20, but 0.1 worse than upai)
        row(results, "reconvene", "synflow", 0.9, 0, 0.605, 4.0, 2.0);
        row(results, "reconvene", "synflow", 0.99, 0, 0.51, 20.0, 5.0);
        // a failed row is ignored
        ResultTable.at(results, new org.apache.hadoop.conf.Configuration()).commit("s", new TrialResult("bad", null,
                TrialResult.Status.FAILED, "X", "boom", Map.of("model", "resnet20", "dataset", "synthetic", "method",
                "reconvene", "scorer", "synflow", "sparsity", 0.9), new MetricValues(), List.of(), List.of(), Map.of()));
    }

    @Test
    void tablesAverageSeedsCompareWithDenseAndUpaiAndPickTheHeadline(@TempDir Path dir) throws Exception {
        String results = dir.resolve("results").toUri().toString();
        writeRows(results);
        ReportJob.Report r = ReportJob.build(Results.load(spark, results), "s", 0.01);
        ReportJob.write(r, dir.resolve("out"));
        assertEquals(2, r.tables().size());
        List<MethodStats> t = r.tables().get("resnet20 / synthetic / synflow / sparsity 0.9000");
        assertEquals(List.of("dense", "upai", "spai-l1", "reconvene"), t.stream().map(MethodStats::method).toList());
        MethodStats dense = t.get(0);
        assertEquals(0.75, dense.top1Mean(), 1e-12);
        assertEquals(Math.sqrt(0.005), dense.top1Std(), 1e-12);
        assertEquals(2, dense.seeds());
        MethodStats rc = t.get(3);
        assertEquals(1, rc.seeds(), "the FAILED row is not counted");
        assertNull(t.get(1).sizeRatio());
        assertEquals(1, r.headline().size());
        assertEquals(4.0, (Double) r.headline().get(0).get("size_ratio"), 1e-12);
        assertEquals(2.0, (Double) r.headline().get(0).get("speedup_b1"), 1e-12);
        String md = Files.readString(dir.resolve("out").resolve("report.md"));
        assertTrue(md.contains("| upai | 2 | 0.6100 |"), md);
        assertTrue(md.contains("-0.1400"), "upai is 0.14 below dense: " + md);
        String csv = Files.readString(dir.resolve("out").resolve("comparison.csv"));
        assertEquals(1 + 2 * 4, csv.lines().count());
        assertTrue(csv.startsWith("model,dataset,table_scorer,table_sparsity,method,scorer,sparsity,seeds,"), csv);
        assertTrue(md.contains("| reconvene | 1 | 0.6050 |  |"), "no spread for one seed: " + md);
        assertTrue(Files.readString(dir.resolve("out").resolve("headline.csv")).contains("resnet20,synthetic,4.0000"));
        // The trade-off: every OK trial once, the FAILED one left out; the front is non-dominated.
        List<ReportJob.TradeOff> to = r.tradeOffs();
        assertTrue(to.stream().noneMatch(p -> "FAILED".equals(p.status())));
        for (ReportJob.TradeOff a : to) {
            boolean dominated = to.stream().anyMatch(b -> b.top1() >= a.top1() && b.latencyMsB1() <= a.latencyMsB1()
                    && (b.top1() > a.top1() || b.latencyMsB1() < a.latencyMsB1()));
            assertEquals(!dominated, a.onFront(), a.toString());
        }
        for (String png : new String[] {"top1_vs_compression.png", "latency_vs_sparsity.png",
                "pareto_top1_vs_latency.png"}) {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(dir.resolve("out").resolve(png).toFile());
            assertEquals(900, img.getWidth(), png);
            assertEquals(600, img.getHeight(), png);
        }
    }
}
