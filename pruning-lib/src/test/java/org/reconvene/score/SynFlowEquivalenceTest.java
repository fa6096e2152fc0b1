package org.reconvene.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.reconvene.engine.Autograd;
import org.reconvene.mask.MaskScope;
import org.reconvene.mask.Masker;
import org.reconvene.model.Architectures;
import org.reconvene.model.Network;
import org.reconvene.prune.UnstructuredPruner;

/**
 * The fast SynFlow scorer against {@link ReferenceSynFlowScorer}, the direct implementation:
 * masks and scores bit for bit, on a model of each family, in both scopes, and on a network whose
 * equal weights make ties at the threshold split within layers (where the dropped entries are
 * not simply those below a threshold). MobileNetV2's R overflows float32, so its row compares the
 * two on the float64 pass.
 */
class SynFlowEquivalenceTest {

    @ParameterizedTest(name = "{0} {1} density {2}, {3} rounds{4}")
    @CsvSource({
        "vgg11, global, 0.02, 12, ''",
        "resnet20, global, 0.02, 20, ''",
        "resnet20, layerwise, 0.1, 10, ''",
        "resnet20, global, 0.3, 6, ' with equal weights'",
        "resnet20, layerwise, 0.3, 6, ' with equal weights'",
        "mobilenetv2, global, 0.02, 10, ''",
    })
    void masksAndScoresAreThoseOfTheReference(String model, String scope, double density, int rounds, String equal) {
        MaskScope s = MaskScope.parse(scope);
        Scores fast = score(new SynFlowScorer(), model, s, density, rounds, !equal.isEmpty());
        Scores ref = score(new ReferenceSynFlowScorer(), model, s, density, rounds, !equal.isEmpty());
        Map<String, float[]> fm = fast.masks().orElseThrow();
        Map<String, float[]> rm = ref.masks().orElseThrow();
        assertEquals(new ArrayList<>(rm.keySet()), new ArrayList<>(fm.keySet()));
        long kept = 0;
        long total = 0;
        for (String w : rm.keySet()) {
            assertBitsEqual(rm.get(w), fm.get(w), "mask of " + w);
            assertBitsEqual(ref.values().get(w), fast.values().get(w), "scores of " + w);
            for (float f : fm.get(w)) {
                kept += (long) f;
            }
            total += fm.get(w).length;
        }
        assertTrue(kept > 0 && kept < total, "kept " + kept + " of " + total);
    }

    /**
     * SynFlow on MobileNetV2 at 0.98 (10 rounds): every layer keeps weights. Its R overflows float32 (the pass
     * computes in float64) and its ReLU6 are linearized; with either missing, the flow stops and
     * whole layers are pruned (before both were added, at 100 rounds: every layer from blocks.5 on, the
     * classifier included).
     */
    @Test
    void mobileNetV2KeepsEveryLayer() {
        Scores s = score(new SynFlowScorer(), "mobilenetv2", MaskScope.GLOBAL, 0.02, 10, false);
        long kept = 0;
        long total = 0;
        for (Map.Entry<String, float[]> e : s.masks().orElseThrow().entrySet()) {
            long k = 0;
            for (float f : e.getValue()) {
                k += (long) f;
            }
            assertTrue(k > 0, e.getKey() + " keeps no weight");
            kept += k;
            total += e.getValue().length;
        }
        assertEquals(0.02, (double) kept / total, 1e-4, "density reached");
    }

    /**
     * MobileNetV2's rescaled pass with the garbage collector running throughout gives the masks
     * and scores of a quiet run, bit for bit. The rescaling factor once wrapped Java memory that
     * autograd saved for backward; a collection between forward and backward freed it, and the
     * round's scores came out zero (empty layers in sweeps, where other threads allocate).
     */
    @Test
    void mobileNetV2ScoresDoNotDependOnTheGarbageCollector() throws InterruptedException {
        Scores quiet = score(new SynFlowScorer(), "mobilenetv2", MaskScope.GLOBAL, 0.02, 10, false);
        AtomicBoolean done = new AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!done.get()) {
                // Direct buffers dropped at once: each collection frees native memory, and the
                // next allocations reuse it, as a busy executor's do.
                for (int i = 0; i < 64; i++) {
                    ByteBuffer.allocateDirect(4096).putInt(0, i);
                }
                System.gc();
            }
        });
        collector.setDaemon(true);
        collector.start();
        Scores busy;
        try {
            busy = score(new SynFlowScorer(), "mobilenetv2", MaskScope.GLOBAL, 0.02, 10, false);
        } finally {
            done.set(true);
            collector.join();
        }
        for (String w : quiet.values().keySet()) {
            assertBitsEqual(quiet.masks().orElseThrow().get(w), busy.masks().orElseThrow().get(w), "mask of " + w);
            assertBitsEqual(quiet.values().get(w), busy.values().get(w), "scores of " + w);
        }
    }

    private static Scores score(Scorer scorer, String model, MaskScope scope, double density, int rounds,
            boolean equalWeights) {
        try (Network net = Network.builder().setSpec(Architectures.get(model).defaultSpec(10)).optSeed(3).build()) {
            ScorerSettings settings = ScorerSettings.defaults().withSynflowRounds(rounds);
            List<String> weights = new UnstructuredPruner(new MagnitudeScorer(), scope, false, settings)
                    .prunableWeights(net);
            if (equalWeights) {
                // Each layer's weights all equal, so a layer's scores come in few distinct values.
                try (Autograd off = Autograd.disable()) {
                    for (String w : weights) {
                        NDArray t = net.tensor(w);
                        net.replaceTensor(w, t.onesLike().mul(0.05));
                    }
                }
            }
            return scorer.score(new ScoringContext(net, null, weights, new Masker(scope), density, 7, settings));
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + " differs at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
