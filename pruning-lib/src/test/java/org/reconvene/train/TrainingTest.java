package org.reconvene.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.ImageSplit;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;

/** Masked training, seeded repeatability and the optimizer's arithmetic. */
class TrainingTest {

    /** A tiny in-memory dataset: the class is the brightest channel, plus noise. */
    static ImageDataset colourDataset(int train, int test, long seed) {
        return new ImageDataset("synthetic", List.of("r", "g", "b"), split(train, seed), split(test, seed + 1), "mem:");
    }

    private static ImageSplit split(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[n * 3 * 32 * 32];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int c = 0; c < 3; c++) {
                int base = c == labels[i] ? 170 : 60;
                for (int p = 0; p < 1024; p++) {
                    px[(i * 3 + c) * 1024 + p] = (byte) Math.max(0, Math.min(255, base + rng.nextInt(-50, 51)));
                }
            }
        }
        return new ImageSplit(3, 32, 32, 3, px, labels);
    }

    private static TrainingConfig shortRun(long seed) {
        return TrainingConfig.builder()
                .optEpochs(2)
                .optBatchSize(32)
                .optLearningRate(0.05)
                .optSchedule(LearningRateSchedule.CONSTANT)
                .optSeed(seed)
                .build();
    }

    @Test
    void maskedWeightsStayExactlyZeroThroughTraining() {
        ImageDataset data = colourDataset(192, 64, 3);
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(3);
        try (Network net = Network.builder().setSpec(spec).optSeed(1).build();
                NDManager m = NDManager.newBaseManager()) {
            SplittableRandom rng = new SplittableRandom(9);
            for (String w : List.of("layer1.0.conv1.weight", "layer3.2.conv2.weight", "fc.weight")) {
                long[] shape = net.infos().get(w).shape();
                int n = (int) net.infos().get(w).size();
                float[] mask = new float[n];
                for (int i = 0; i < n; i++) {
                    mask[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
                }
                net.setMask(w, m.create(mask, new ai.djl.ndarray.types.Shape(shape)));
            }
            new NetworkTrainer(shortRun(5)).train(net, data);
            for (Map.Entry<String, NDArray> e : net.masks().entrySet()) {
                float[] w = net.tensor(e.getKey()).toFloatArray();
                float[] mask = e.getValue().toFloatArray();
                int changedKept = 0;
                for (int i = 0; i < w.length; i++) {
                    if (mask[i] == 0f) {
                        // -0.0 (a negative weight times 0) is exactly zero too, hence == not equals.
                        assertTrue(w[i] == 0f, "masked weight " + e.getKey() + "[" + i + "] = " + w[i]);
                    } else if (w[i] != 0f) {
                        changedKept++;
                    }
                }
                assertTrue(changedKept > 0, "kept weights of " + e.getKey() + " are nonzero");
            }
        }
    }

    @Test
    void sameSeedRepeatsExactlyAndAnotherSeedDiffers() {
        ImageDataset data = colourDataset(128, 64, 4);
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(3);
        float[] a = trainAndRead(spec, data, 11);
        float[] b = trainAndRead(spec, data, 11);
        float[] c = trainAndRead(spec, data, 12);
        assertArrayEquals(a, b);
        assertNotEquals(a[0], c[0]);
    }

    private static float[] trainAndRead(ModelSpec spec, ImageDataset data, long seed) {
        try (Network net = Network.builder().setSpec(spec).optSeed(seed).build()) {
            new NetworkTrainer(shortRun(seed)).train(net, data);
            return net.tensor("layer2.1.conv1.weight").toFloatArray();
        }
    }

    @Test
    void sgdFollowsPyTorchMomentumAndNesterovArithmetic() {
        // Nesterov runs the generic path, plain momentum the fused native one, whose buffer must
        // follow the rate changes (0.1, then 0.05, then 0: a step of the generic path, then fused again).
        double[] rates = {0.1, 0.05, 0.05, 0.0, 0.02};
        double[][] cases = {{0.9, 0}, {0.9, 1}, {0.0, 0}};
        for (double[] c : cases) {
            double mom = c[0];
            boolean nesterov = c[1] == 1;
            TrainingConfig cfg =
                    TrainingConfig.builder().optMomentum(mom).optNesterov(nesterov).optWeightDecay(0.01).build();
            ModelSpec spec = Architectures.get("resnet20").defaultSpec(3);
            try (Network net = Network.builder().setSpec(spec).optSeed(2).build();
                    SgdOptimizer sgd = new SgdOptimizer(net, cfg)) {
                NDArray w = net.tensor("fc.bias");
                float[] w0 = w.toFloatArray();
                net.requireGradients(true);
                // Steps with gradient g = w (loss 0.5 * |w|^2), checked against arithmetic here.
                double[] ref = new double[w0.length];
                double[] buf = new double[w0.length];
                for (int i = 0; i < w0.length; i++) {
                    ref[i] = w0[i] + 1.0; // start away from zero so gradients are nonzero
                }
                try (org.reconvene.engine.Autograd off = org.reconvene.engine.Autograd.disable()) {
                    w.addi(1f);
                }
                for (int step = 0; step < rates.length; step++) {
                    try (NDManager bm = net.manager().newSubManager();
                            org.reconvene.engine.Autograd on = org.reconvene.engine.Autograd.enable()) {
                        NDArray x = bm.zeros(new ai.djl.ndarray.types.Shape(1));
                        bm.tempAttachAll(x);
                        NDArray loss = w.mul(w).sum().mul(0.5f);
                        org.reconvene.engine.Autograd.backward(loss);
                        loss.close();
                    }
                    sgd.step(rates[step]);
                    for (int i = 0; i < ref.length; i++) {
                        double g = ref[i] + 0.01 * ref[i];
                        buf[i] = step == 0 ? g : mom * buf[i] + g;
                        double upd = mom == 0 ? g : nesterov ? g + mom * buf[i] : buf[i];
                        ref[i] -= rates[step] * upd;
                    }
                }
                float[] got = w.toFloatArray();
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], got[i], 1e-5,
                            "momentum=" + mom + " nesterov=" + nesterov + " fc.bias[" + i + "]");
                }
            }
        }
    }

    @Test
    void schedulesAndConfigValidation() {
        assertEquals(0.1, LearningRateSchedule.STEP.rate(0.1, 0, 8, 0.1), 1e-12);
        assertEquals(0.01, LearningRateSchedule.STEP.rate(0.1, 4, 8, 0.1), 1e-12);
        assertEquals(0.001, LearningRateSchedule.STEP.rate(0.1, 6, 8, 0.1), 1e-12);
        assertEquals(0.05, LearningRateSchedule.COSINE.rate(0.1, 2, 4, 0.1), 1e-12);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().optBatchSize(0).build());
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("linear"));
    }
}
