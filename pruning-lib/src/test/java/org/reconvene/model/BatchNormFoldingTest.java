package org.reconvene.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reconvene.prune.PruneResult;
import org.reconvene.prune.Pruner;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;

/**
 * Folding BatchNorm into the convolutions leaves inference outputs unchanged: on VGG and ResNet,
 * dense, masked and rebuilt by Reconvene, with BatchNorm statistics and affine parameters far from
 * their initial 0 and 1 so that the fold has something to do.
 */
class BatchNormFoldingTest {

    /** Random BatchNorm gamma, beta, running mean and running variance. */
    private static void randomizeBatchNorm(Network net, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (ParameterInfo p : net.infos().values()) {
            String n = p.name();
            boolean bn = n.contains("bn") || n.contains("shortcut.bn") || n.endsWith(".running_mean")
                    || n.endsWith(".running_var");
            if (!bn || p.shape().length != 1) {
                continue;
            }
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) {
                double u = rng.nextDouble();
                v[i] = (float) (n.endsWith(".running_var") ? 0.2 + 2 * u
                        : n.endsWith(".weight") ? 0.5 + u : 2 * u - 1);
            }
            net.replaceTensor(n, NativeArrays.create(net.manager(), v, new Shape(p.shape()), DataType.FLOAT32));
        }
    }

    private static float[] logits(Network net) {
        return NetworkStoreTest.logits(net);
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 1e-3, "logits are not trivially zero");
        assertTrue(worst <= 1e-4 * scale, "largest difference " + worst + " against logit scale " + scale);
    }

    private static boolean hasBatchNorm(List<Layer> graph) {
        for (Layer l : graph) {
            if (l instanceof Layer.BatchNorm) {
                return true;
            }
            if (l instanceof Layer.Residual r && (hasBatchNorm(r.main()) || hasBatchNorm(r.shortcut()))) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg11", "resnet20", "mobilenetv2"})
    void foldedOutputsEqualTheOriginalsAndNoBatchNormIsLeft(String model) {
        try (Network net = Network.builder().setSpec(Architectures.get(model).defaultSpec(10)).optSeed(5).build()) {
            randomizeBatchNorm(net, 9);
            try (Network folded = BatchNormFolding.fold(net)) {
                assertFalse(hasBatchNorm(folded.layers()));
                assertTrue(folded.spec().batchNormFolded());
                assertTrue(folded.tensors().keySet().stream().noneMatch(k -> k.contains("running")));
                assertClose(logits(net), logits(folded));
            }
        }
    }

    @Test
    void masksSurviveTheFoldAndTheFoldedNetworkRoundTrips(@TempDir Path dir) {
        try (Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(10)).optSeed(5)
                .build()) {
            Pruner.prune(net, PruningConfig.builder().setMethod(PruningMethod.UPAI).optScorer("random")
                    .optSparsity(0.9).build(), null, 1);
            randomizeBatchNorm(net, 4);
            try (Network folded = BatchNormFolding.fold(net)) {
                assertEquals(net.masks().keySet(), folded.masks().keySet());
                NDArray w = folded.tensor("layer1.0.conv1.weight");
                NDArray mask = folded.masks().get("layer1.0.conv1.weight");
                float[] wv = w.toFloatArray();
                float[] mv = mask.toFloatArray();
                for (int i = 0; i < wv.length; i++) {
                    assertTrue(mv[i] != 0 || wv[i] == 0, "a masked weight stays zero");
                }
                assertClose(logits(net), logits(folded));
                NetworkStore.save(folded, dir.resolve("folded"));
                try (Network back = NetworkStore.load(dir.resolve("folded"))) {
                    assertEquals(folded.spec(), back.spec(), "the folded flag is saved");
                    assertClose(logits(folded), logits(back));
                }
            }
        }
    }

    @Test
    void aReconveneNetworkFoldsToTheSameOutputs() {
        try (Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(10)).optSeed(2)
                .build()) {
            PruneResult r = Pruner.prune(net, PruningConfig.builder().setMethod(PruningMethod.RECONVENE)
                    .optScorer("synflow").optSparsity(0.9).build(), null, 3);
            try (Network rebuilt = r.network()) {
                assertTrue(rebuilt.spec().widths().values().stream().mapToInt(Integer::intValue).sum()
                        < net.spec().widths().values().stream().mapToInt(Integer::intValue).sum(), "narrower");
                randomizeBatchNorm(rebuilt, 8);
                try (Network folded = BatchNormFolding.fold(rebuilt)) {
                    assertClose(logits(rebuilt), logits(folded));
                    assertThrows(IllegalArgumentException.class, () -> BatchNormFolding.fold(folded));
                }
            }
        }
    }
}
