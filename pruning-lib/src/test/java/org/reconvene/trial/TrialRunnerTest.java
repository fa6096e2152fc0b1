package org.reconvene.trial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.metrics.Metric;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.train.TrainingConfig;

/** One trial end to end, its failure isolation and its id. */
class TrialRunnerTest {

    @TempDir static Path dir;
    static String uri;

    @BeforeAll
    static void data() {
        uri = dir.resolve("syn").toUri().toString();
        SyntheticImageGenerator.builder().setOutput(uri).optTrainSize(200).optTestSize(50).optSeed(1).build().generate();
    }

    static TrialConfig trial(String model, String method, double lr, long seed) {
        return new TrialConfig(model, null, "synthetic", uri,
                PruningConfig.builder().setMethod(PruningMethod.parse(method)).optScorer("magnitude").optSparsity(0.8)
                        .build(),
                TrainingConfig.builder().optEpochs(1).optBatchSize(32).optMaxBatchesPerEpoch(2).optLearningRate(lr)
                        .optSeed(seed).build(),
                seed, 2);
    }

    @Test
    void okTrialHasMetricsLayersHistoryAndProvenance() {
        TrialResult r = new TrialRunner(new DatasetCache()).run(trial("resnet20", "reconvene", 0.05, 3), "test");
        assertEquals(TrialResult.Status.OK, r.status(), r.errorMessage());
        assertNull(r.errorClass());
        for (Metric m : Metric.values()) {
            assertTrue(r.metrics().has(m) || m.nullable().isPresent(), "an OK trial measures " + m);
        }
        assertTrue(r.metrics().has(Metric.SIZE_RATIO) && r.metrics().has(Metric.SPEEDUP_ORT_B1), "reconvene's ratios");
        assertEquals(1, r.history().size());
        assertEquals(22, r.layers().size());
        assertEquals("test", r.provenance().get("executor"));
        assertEquals("reconvene", r.config().get("method"));
    }

    @Test
    void logLinesOfATrialCarryItsIdAndOnlyWhileItRuns() {
        TrialConfig t = trial("resnet20", "dense", 0.05, 4);
        String[] seen = new String[1];
        TrialResult r = new TrialRunner(new DatasetCache()).run(t, TrialPlan.builder()
                .optDeployment((trial, model) -> seen[0] = org.slf4j.MDC.get(TrialRunner.LOG_KEY)).build(), "test");
        assertEquals(TrialResult.Status.OK, r.status(), r.errorMessage());
        assertEquals(t.trialId(), seen[0]);
        assertNull(org.slf4j.MDC.get(TrialRunner.LOG_KEY));
    }

    @Test
    void aBadTrialIsAFailedResultNotAnException() {
        TrialRunner runner = new TrialRunner(new DatasetCache());
        TrialResult misfit = runner.run(trial("resnet18", "upai", 0.05, 3), "test");
        assertEquals(TrialResult.Status.FAILED, misfit.status());
        assertEquals(IllegalArgumentException.class.getName(), misfit.errorClass());
        assertTrue(misfit.errorMessage().contains("64x64"), misfit.errorMessage());
        TrialResult diverged = runner.run(trial("resnet20", "dense", 1e12, 3), "test");
        assertEquals(TrialResult.Status.FAILED, diverged.status());
        assertEquals("org.reconvene.train.DivergedException", diverged.errorClass());
    }

    @Test
    void trialIdIsAStableHashOfTheConfig() {
        assertEquals(trial("resnet20", "upai", 0.05, 3).trialId(), trial("resnet20", "upai", 0.05, 3).trialId());
        assertNotEquals(trial("resnet20", "upai", 0.05, 3).trialId(), trial("resnet20", "upai", 0.05, 4).trialId());
        assertNotEquals(trial("resnet20", "upai", 0.05, 3).trialId(), trial("resnet20", "spai-l1", 0.05, 3).trialId());
        assertEquals(16, trial("resnet20", "upai", 0.05, 3).trialId().length());
        // knobs that do not apply to the method do not make a new trial
        TrialConfig a = trial("resnet20", "dense", 0.05, 3);
        TrialConfig b = new TrialConfig(a.model(), a.modelDigest(), a.dataset(), a.dataUri(),
                PruningConfig.builder().setMethod(PruningMethod.DENSE).optScorer("snip").optSparsity(0.5).build(),
                a.training(), a.seed(), a.latencyRuns());
        assertEquals(a.trialId(), b.trialId());
        assertNull(a.toMap().get("sparsity"));
    }
}
