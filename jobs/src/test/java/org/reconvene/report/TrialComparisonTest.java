package org.reconvene.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.reconvene.metrics.MetricValues;
import org.reconvene.results.ResultTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.prune.LayerReport;
import org.reconvene.sweep.SparkTestBase;
import org.reconvene.train.EpochStats;
import org.reconvene.trial.TrialResult;

/** Loading results, finding trials by id prefix, and comparing two trials read back from Parquet. */
class TrialComparisonTest extends SparkTestBase {

    private static void write(String results, String id, String method, long seed, String host, double top1,
            Long bytes, int width) {
        Map<String, Object> config = new HashMap<>();
        config.put("model", "resnet20");
        config.put("dataset", "synthetic");
        config.put("method", method);
        config.put("scorer", "synflow");
        config.put("sparsity", 0.9);
        config.put("seed", seed);
        config.put("epochs", 4);
        Map<String, Object> metrics = new HashMap<>();
        metrics.put("top1", top1);
        metrics.put("serialized_bytes", bytes);
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("git_commit", "abc");
        prov.put("host", host);
        prov.put("threads", 2);
        prov.put("started", "2026-01-01T00:00:0" + seed + "Z");
        List<LayerReport> layers = List.of(new LayerReport("conv1", 432, 100, 0.23, 16, width, 0.5, width < 16));
        List<EpochStats> history = List.of(new EpochStats(1, 0.1, 2.0, 0.3, 1.9, top1 - 0.1, Double.NaN, 10, 5),
                new EpochStats(2, 0.05, 1.5, 0.5, 1.4, top1, Double.NaN, 10, 5));
        ResultTable.at(results, new org.apache.hadoop.conf.Configuration()).commit("s", new TrialResult(id, null,
                TrialResult.Status.OK, null, null, config, MetricValues.fromColumns(metrics), layers, history, prov));
    }

    @Test
    void namesExactlyTheDifferingFieldsAndMeasuresEveryMetric(@TempDir Path dir) {
        String results = dir.resolve("results").toUri().toString();
        write(results, "aaaa1111", "upai", 0, "node-1", 0.60, 4_000_000L, 16);
        write(results, "aaaa2222", "reconvene", 1, "node-2", 0.66, 1_000_000L, 8);
        write(results, "bbbb3333", "dense", 0, "node-1", 0.70, null, 16);
        Dataset<Row> rows = Results.load(spark, results);

        TrialComparison c = TrialComparison.of(Results.trial(rows, "aaaa1"), Results.trial(rows, "aaaa2"));

        assertEquals(List.of("seed", "method"), c.configDifferences().stream().map(TrialComparison.Field::name).toList(),
                "config columns in row order; model, scorer, sparsity and epochs agree");
        assertEquals(List.of("host", "started"),
                c.provenanceDifferences().stream().map(TrialComparison.Field::name).toList(),
                "git_commit and threads agree; the start time comes last");
        TrialComparison.Metric top1 = c.metrics().stream().filter(m -> m.name().equals("top1")).findFirst().orElseThrow();
        assertEquals(0.06, top1.change(), 1e-12);
        assertEquals(1.1, top1.ratio(), 1e-12);
        TrialComparison.Metric bytes = c.metrics().stream().filter(m -> m.name().equals("serialized_bytes"))
                .findFirst().orElseThrow();
        assertEquals(0.25, bytes.ratio(), 1e-12);
        assertTrue(c.metrics().stream().noneMatch(m -> m.name().equals("latency_ms_b1")), "neither trial has it");

        String summary = c.summary();
        assertTrue(summary.contains("config differs in seed, method"), summary);
        assertTrue(summary.contains("provenance differs in host"), summary);
        String md = c.markdown();
        assertTrue(md.contains("| method | upai | reconvene |"), md);
        assertTrue(md.contains("| top1 | 0.6000 | 0.6600 | 0.0600 | 1.1000 |"), md);
        assertTrue(md.contains("| serialized_bytes | 4000000 | 1000000 | -3000000 | 0.2500 |"), "byte counts whole: " + md);
        assertTrue(md.contains("| 2 | 0.6000 | 0.6600 |"), "epoch 2 test top-1 side by side: " + md);
        assertTrue(md.contains("| conv1 | 16 | 8 |"), "layer widths side by side: " + md);

        TrialComparison same = TrialComparison.of(Results.trial(rows, "aaaa1111"), Results.trial(rows, "aaaa1111"));
        assertTrue(same.configDifferences().isEmpty());
        assertTrue(same.provenanceDifferences().isEmpty());
        assertTrue(same.metrics().stream().allMatch(m -> m.change() == 0.0));

        TrialComparison withDense = TrialComparison.of(Results.trial(rows, "aaaa1"), Results.trial(rows, "bbbb"));
        TrialComparison.Metric denseBytes = withDense.metrics().stream().filter(m -> m.name().equals("serialized_bytes"))
                .findFirst().orElseThrow();
        assertNull(denseBytes.change(), "the dense trial has no serialized_bytes here");
    }

    @Test
    void unknownAmbiguousAndMissingAreNamed(@TempDir Path dir) {
        String results = dir.resolve("results").toUri().toString();
        write(results, "aaaa1111", "upai", 0, "h", 0.6, 1L, 16);
        write(results, "aaaa2222", "upai", 1, "h", 0.6, 1L, 16);
        Dataset<Row> rows = Results.load(spark, results);
        IllegalArgumentException ambiguous = assertThrows(IllegalArgumentException.class,
                () -> Results.trial(rows, "aaaa"));
        assertTrue(ambiguous.getMessage().contains("ambiguous"), ambiguous.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Results.trial(rows, "ffff"));
        assertTrue(unknown.getMessage().contains("ffff"), unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Results.load(spark, dir.resolve("nothing-here").toString()));
        assertTrue(missing.getMessage().contains("nothing-here"), missing.getMessage());
    }

    @Test
    void markdownTablesShowNullsBlankAndCountNestedLists(@TempDir Path dir) {
        String results = dir.resolve("results").toUri().toString();
        write(results, "aaaa1111", "upai", 0, "h", 0.6, null, 16);
        write(results, "aaaa2222", "reconvene", 1, "h", 0.65, 2L, 8);
        String md = Results.markdown(Results.load(spark, results)
                .selectExpr("method", "top1", "serialized_bytes", "history").orderBy("method"), 1);
        assertEquals(List.of("| method | top1 | serialized_bytes | history |", "| --- | --- | --- | --- |",
                "| reconvene | 0.6500 | 2 | 2 items |", "", "(first 1 rows shown)"), md.lines().toList());
    }
}
