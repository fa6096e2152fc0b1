package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultSchema;
import org.reconvene.results.ResultTable;
import org.reconvene.results.RowWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.trial.TrialConfig;

/** The sweep job on local[2]: rows, schema, failure isolation, resume and retry. */
class SweepJobTest extends SparkTestBase {

    private static String yaml(Path data) {
        return String.join("\n",
                "name: t",
                "data:",
                "  synthetic: {uri: '" + data.toUri() + "', generate: {classes: 10, train: 120, test: 30, seed: 1}}",
                "defaults: {epochs: 1, max_batches: 1, batch_size: 32, latency_runs: 1, synflow_rounds: 5, sparsity: 0.9}",
                "grid:",
                "  model: [resnet20, resnet18]",   // resnet18 takes 64x64 images: an injected failure
                "  method: [dense, upai, reconvene]",
                "exclude:",
                "  - {model: resnet18, method: [upai, reconvene]}");
    }

    /** {@code export: onnx}: each OK trial's model lands under the hidden _onnx/, readable, named by its row; no reader sees it. */
    @Test
    void exportOnnxPublishesEachOkTrialsModelBesideItsRow(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.parse("export: onnx\n" + yaml(dir.resolve("data")).replace(
                "method: [dense, upai, reconvene]", "method: [dense, reconvene]"), "t.yaml", dir);
        assertTrue(spec.exportsOnnx());
        String results = dir.resolve("results").toUri().toString();
        SweepJob.Outcome o = SweepJob.run(spark, spec, new SweepJob.Options(results, false, false, 0));
        assertEquals(3, o.ran());
        assertEquals(1, o.failed());
        Dataset<Row> rows = rows(results, "t");
        assertEquals(3, rows.count(), "the models are not rows");
        for (Row r : rows.collectAsList()) {
            Path model = Path.of(java.net.URI.create(
                    ResultTable.at(results, spark.sparkContext().hadoopConfiguration()).modelPath("t", r.getAs("trial_id")).toUri().toString()));
            if ("OK".equals(r.getAs("status"))) {
                org.reconvene.deploy.OnnxModel m = org.reconvene.deploy.OnnxModel.read(model);
                assertEquals(r.<String>getAs("trial_id"), m.metadata().get("trial_id"));
                assertEquals(r.<String>getAs("method"), m.metadata().get("method"));
                // The row measured the same graph; the published file adds the trial's metadata.
                assertTrue(m.bytes() > r.<Long>getAs("onnx_bytes"), m.bytes() + " vs " + r.getAs("onnx_bytes"));
            } else {
                assertFalse(java.nio.file.Files.exists(model), "a FAILED trial has no model");
            }
        }
        assertEquals(0, ResultTable.at(results, spark.sparkContext().hadoopConfiguration()).scan("t").warnings().size());
        assertThrows(SweepSpecException.class, () -> SweepSpec.parse("export: tflite\n" + yaml(dir), "t.yaml", dir));
    }

    @Test
    void everyTrialGetsOneRowFailuresAreRowsAndResumeRunsNothing(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.parse(yaml(dir.resolve("data")), "t.yaml", dir);
        String results = dir.resolve("results").toUri().toString();
        List<TrialConfig> trials = spec.trials();
        assertEquals(4, trials.size());

        SweepJob.Outcome first = SweepJob.run(spark, spec, new SweepJob.Options(results, false, false, 0));
        assertEquals(4, first.ran());
        assertEquals(1, first.failed());
        Dataset<Row> rows = rows(results, "t");
        assertEquals(4, rows.count());
        Set<String> ids = trials.stream().map(TrialConfig::trialId).collect(Collectors.toSet());
        assertEquals(ids, rows.select("trial_id").collectAsList().stream().map(r -> r.getString(0))
                .collect(Collectors.toSet()));
        for (String c : new String[] {"sweep_id", "trial_id", "status", "error_class", "error_message", "model",
                "method", "scorer", "sparsity", "seed", "top1", "params", "params_nonzero", "macs", "latency_ms_b1",
                "prune_ms", "size_ratio", "layers", "history", "git_commit", "pytorch_version", "host", "executor",
                "threads", "started", "finished"}) {
            assertTrue(List.of(rows.columns()).contains(c), "column " + c);
        }
        // The results root reads as one table of all sweeps, partitioned by sweep.
        Dataset<Row> all = spark.read().parquet(results);
        assertEquals(4, all.filter("sweep = 't' AND sweep_id = 't'").count());
        Row failed = rows.filter("status = 'FAILED'").first();
        assertEquals("resnet18", failed.getAs("model"));
        assertEquals(IllegalArgumentException.class.getName(), failed.getAs("error_class"));
        Row rc = rows.filter("method = 'reconvene'").first();
        assertEquals("OK", rc.getAs("status"));
        assertTrue((Double) rc.getAs("size_ratio") >= 1.0);
        assertEquals(22, rc.getList(rc.fieldIndex("layers")).size());
        assertEquals(1, rc.getList(rc.fieldIndex("history")).size());
        Row dense = rows.filter("method = 'dense' AND model = 'resnet20'").first();
        assertNull(dense.getAs("size_ratio"));
        assertEquals(272_474L, (Long) dense.getAs("params"));
        // SQL over the nested per-layer detail: one exploded row per prunable layer of each OK trial
        assertEquals(3 * 22, rows.filter("status = 'OK'").selectExpr("explode(layers) AS l").count());

        // Every declared column of every OK row: filled, or declared nullable with its reason.
        java.util.Map<String, java.util.Set<String>> emptyWhereNotAllowed = new java.util.TreeMap<>();
        for (Row r : rows.filter("status = 'OK'").collectAsList()) {
            for (String c : ResultSchema.scalarColumns()) {
                if (!ResultSchema.nullableInOkRows().containsKey(c) && r.isNullAt(r.fieldIndex(c))) {
                    emptyWhereNotAllowed.computeIfAbsent(c, k -> new java.util.TreeSet<>()).add(r.getAs("method"));
                }
            }
        }
        assertEquals(java.util.Map.of(), emptyWhereNotAllowed, "columns null in OK rows, by method");
        for (String c : ResultSchema.nullableInOkRows().keySet()) {
            assertTrue(ResultSchema.scalarColumns().contains(c), "nullable " + c + " is not a column");
        }

        SweepJob.Outcome resumed = SweepJob.run(spark, spec, new SweepJob.Options(results, true, false, 0));
        assertEquals(0, resumed.ran());
        assertEquals(4, resumed.skipped());

        SweepJob.Outcome retried = SweepJob.run(spark, spec, new SweepJob.Options(results, false, true, 0));
        assertEquals(1, retried.ran(), "only the FAILED trial reruns");
        assertEquals(4, rows(results, "t").count(), "a rerun replaces its row");
        try (var files = Files.list(dir.resolve("results").resolve("sweep=t"))) {
            assertEquals(4, files.filter(p -> p.toString().endsWith(".parquet")).count(), "no temporary files left");
        }
    }
}
