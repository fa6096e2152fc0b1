package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultTable;
import org.reconvene.results.RowWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.engine.ConvPath;
import org.reconvene.engine.Convolutions;
import org.reconvene.engine.Engines;
import org.reconvene.engine.KernelCheck;
import org.reconvene.engine.KernelCheckException;
import org.reconvene.trial.DatasetCache;
import org.reconvene.trial.TrialResult;
import org.reconvene.trial.TrialRunner;

/**
 * A sweep on an executor whose kernels are wrong (the defect simulated in the engine's
 * convolution): the kernel check fails, the fallback computes, the trials are right and their rows
 * say which path computed them; where no path is right, the trials fail naming the check and host.
 */
class KernelFallbackSweepTest extends SparkTestBase {

    @AfterEach
    void restore() {
        Convolutions.injectFault(Convolutions.Fault.NONE);
        System.clearProperty(KernelCheck.PROPERTY);
        Engines.recheckKernels();
    }

    private static SweepSpec spec(Path dir) {
        return SweepSpec.parse(String.join("\n",
                "name: k",
                "data:",
                "  synthetic: {uri: '" + dir.resolve("data").toUri() + "', generate: {classes: 10, train: 128, test: 32, seed: 1}}",
                "defaults: {model: resnet20, scorer: magnitude, sparsity: 0.9, epochs: 1, max_batches: 2, batch_size: 32,"
                        + " latency_runs: 1}",
                "grid:",
                "  method: [reconvene, spai-l1]"), "k.yaml", dir);
    }

    private static List<Row> run(SweepSpec spec, String results) {
        SweepJob.run(spark, spec, new SweepJob.Options(results, false, false, 0));
        return rows(results, "k").orderBy("method").collectAsList();
    }

    @Test
    void theFallbackComputesTheRightNumbersAndTheRowSaysSo(@TempDir Path dir) {
        SweepSpec spec = spec(dir);
        // reference: the padded path forced on this machine's kernels
        System.setProperty(KernelCheck.PROPERTY, "padded");
        assertEquals(ConvPath.PADDED, Engines.recheckKernels().path());
        List<Row> forced = run(spec, dir.resolve("forced").toUri().toString());
        System.setProperty(KernelCheck.PROPERTY, "auto"); // not cleared: RECONVENE_KERNELS may force padded

        Convolutions.injectFault(Convolutions.Fault.DEFECT);
        KernelCheck.Outcome k = Engines.recheckKernels();
        assertEquals(ConvPath.PADDED, k.path(), k.summary());
        List<Row> fallback = run(spec, dir.resolve("fallback").toUri().toString());
        assertEquals(2, fallback.size());
        for (int i = 0; i < 2; i++) {
            Row r = fallback.get(i);
            assertEquals("OK", r.getAs("status"), String.valueOf(r.<String>getAs("error_message")));
            assertEquals("padded", r.getAs("kernel_path"));
            assertEquals("padded", forced.get(i).getAs("kernel_path"));
            // the same kernels computed both: the same numbers, bit for bit
            for (String metric : List.of("loss", "top1", "params", "macs")) {
                assertEquals(forced.get(i).<Object>getAs(metric), r.getAs(metric), metric);
            }
        }

        // Without the fallback the same trial would have trained on the defect's NaNs.
        try (Engines.PathScope scope = Engines.computeOn(ConvPath.DEFAULT)) {
            TrialResult broken = new TrialRunner(new DatasetCache()).run(spec.trials().get(0), "test");
            assertEquals(TrialResult.Status.FAILED, broken.status());
            assertEquals(org.reconvene.train.DivergedException.class.getName(), broken.errorClass());
        }
    }

    @Test
    void withNoCorrectPathTrialsFailNamingTheCheckAndTheHost(@TempDir Path dir) {
        Convolutions.injectFault(Convolutions.Fault.ALL);
        KernelCheck.Outcome k = Engines.recheckKernels();
        assertEquals(null, k.path(), k.summary());
        List<Row> rows = run(spec(dir), dir.resolve("results").toUri().toString());
        for (Row r : rows) {
            assertEquals("FAILED", r.getAs("status"));
            assertEquals(KernelCheckException.class.getName(), r.getAs("error_class"));
            String message = r.getAs("error_message");
            assertTrue(message.contains("kernel check") && message.contains(org.reconvene.engine.Host.name()), message);
            assertEquals("none", r.getAs("kernel_path"));
        }
    }
}
