package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.deploy.OnnxModel;

/**
 * {@code export: onnx-int8}: every row carries the int8 columns, Reconvene's its ratios to upai's
 * int8 file, and each trial's int8 file is published beside its float one.
 */
class Int8SweepTest extends SparkTestBase {

    @Test
    void anInt8SweepFillsTheInt8ColumnsAndPublishesTheFiles(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.parse(String.join("\n",
                "name: q",
                "export: onnx-int8",
                "data:",
                "  synthetic: {uri: data/gen, generate: {classes: 4, train: 64, test: 16, seed: 1}}",
                "defaults: {model: resnet20, epochs: 1, max_batches: 1, batch_size: 16, latency_runs: 1,",
                "           synflow_rounds: 2, sparsity: 0.9}",
                "grid:",
                "  method: [dense, upai, reconvene]",
                ""), "q.yaml", dir);
        Path results = dir.resolve("results");
        SweepJob.Outcome o = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), false, false, 0));
        assertEquals(0, o.failed());
        List<Row> rows = rows(results.toString(), "q").collectAsList();
        assertEquals(3, rows.size());
        for (Row r : rows) {
            String method = r.getAs("method");
            long f32 = r.<Long>getAs("onnx_bytes");
            long int8 = r.<Long>getAs("onnx_int8_bytes");
            assertTrue(int8 * 2 < f32, method + ": int8 " + int8 + " vs float32 " + f32);
            assertTrue(r.<Long>getAs("onnx_int8_gzip_bytes") > 0);
            assertTrue(r.<Double>getAs("latency_ort_int8_ms_b1") > 0 && r.<Double>getAs("latency_ort_int8_ms_b64") > 0);
            double top1 = r.<Double>getAs("top1_int8");
            assertTrue(top1 >= 0 && top1 <= 1);
            if (method.equals("reconvene")) {
                assertTrue(r.<Double>getAs("size_ratio_int8") > 1, "a narrower network's int8 file is smaller");
                assertNotNull(r.getAs("speedup_ort_int8_b1"));
            } else {
                assertNull(r.getAs("size_ratio_int8"));
            }
            String id = r.getAs("trial_id");
            Path q = results.resolve("sweep=q/_onnx/" + id + ".int8.onnx");
            assertTrue(Files.isRegularFile(q), q.toString());
            // the published file is the measured one plus the trial's metadata (config, labels), as for float32
            long extra = Files.size(q) - int8;
            assertTrue(extra > 0 && extra < 4096, "metadata bytes: " + extra);
            assertTrue(OnnxModel.read(q).metadata().get("quantization").contains("min/max"));
            assertTrue(Files.isRegularFile(results.resolve("sweep=q/_onnx/" + id + ".onnx")));
        }
    }
}
