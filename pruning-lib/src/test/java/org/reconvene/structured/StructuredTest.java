package org.reconvene.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reconvene.engine.Autograd;
import org.reconvene.metrics.LayerProfile;
import org.reconvene.metrics.NetworkMetrics;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.NativeArrays;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;
import org.reconvene.prune.LayerReport;
import org.reconvene.prune.PruneResult;
import org.reconvene.prune.Pruner;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.score.PruningData;
import org.reconvene.score.TinyNets;
import org.reconvene.train.LearningRateSchedule;
import org.reconvene.train.NetworkTrainer;
import org.reconvene.train.TrainingConfig;
import org.reconvene.train.TrainingResult;

/** The channel-rebuild engine, PSE, RLR and the structured baselines. */
class StructuredTest {

    private static Network net(String arch, long seed) {
        return Network.builder().setSpec(Architectures.get(arch).defaultSpec(10)).optSeed(seed).build();
    }

    /** Gives BatchNorm nontrivial statistics and affine parameters, so the invariant is not vacuous. */
    private static void randomizeNorms(Network net, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Autograd off = Autograd.disable()) {
            for (ParameterInfo p : net.infos().values()) {
                float[] v = net.tensor(p.name()).toFloatArray();
                switch (p.role()) {
                    case BN_GAMMA, BN_RUNNING_VAR -> fill(v, rng, 0.5, 1.5);
                    case BN_BETA, BN_RUNNING_MEAN, CONV_BIAS, LINEAR_BIAS -> fill(v, rng, -0.3, 0.3);
                    default -> {
                        continue;
                    }
                }
                net.replaceTensor(p.name(), NativeArrays.create(net.manager(), v, new Shape(p.shape()), net.dataType()));
            }
        }
    }

    private static void fill(float[] v, SplittableRandom rng, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(lo, hi);
        }
    }

    /** Zeroes channels {@code js} of a group: producers' filters and biases, BatchNorm gamma and beta. */
    private static void zeroChannels(Network net, ChannelGroup g, List<Integer> js) {
        try (Autograd off = Autograd.disable()) {
            List<String> names = new ArrayList<>();
            for (String p : g.producers()) {
                names.add(p + ".weight");
                if (net.infos().containsKey(p + ".bias")) {
                    names.add(p + ".bias");
                }
            }
            for (String n : g.norms()) {
                names.add(n + ".weight");
                names.add(n + ".bias");
            }
            for (String name : names) {
                NDArray t = net.tensor(name);
                float[] v = t.toFloatArray();
                int per = v.length / g.width();
                for (int j : js) {
                    for (int i = j * per; i < (j + 1) * per; i++) {
                        v[i] = 0f;
                    }
                }
                net.replaceTensor(name, NativeArrays.create(net.manager(), v, t.getShape(), net.dataType()));
            }
        }
    }

    /** Zoo models of every kind of group, and every network imported from ONNX (METHOD.md section 5). */
    static java.util.stream.Stream<String> rebuildableNetworks() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("vgg11", "resnet20", "mobilenetv2"),
                java.util.stream.Stream.concat(org.reconvene.model.OnnxFixtures.NETWORKS.stream(),
                        java.util.stream.Stream.of("resnet20-folded"))
                        .map(f -> org.reconvene.model.OnnxFixtures.file(f).toString()));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("rebuildableNetworks")
    void removingAllZeroChannelsLeavesOutputsUnchanged(String arch) {
        try (Network net = net(arch, 3); NDManager m = NDManager.newBaseManager()) {
            randomizeNorms(net, 4);
            ChannelGroups groups = ChannelGroups.of(net.layers(), 3);
            SplittableRandom rng = new SplittableRandom(5);
            Map<String, int[]> kept = new LinkedHashMap<>();
            for (ChannelGroup g : groups.prunable()) {
                List<Integer> keep = new ArrayList<>();
                List<Integer> zero = new ArrayList<>();
                for (int j = 0; j < g.width(); j++) {
                    (rng.nextDouble() < 0.4 && j > 0 ? zero : keep).add(j);
                }
                zeroChannels(net, g, zero);
                kept.put(g.name(), keep.stream().mapToInt(Integer::intValue).toArray());
            }
            NDArray x = m.randomNormal(new Shape(4, 3, 32, 32));
            try (Network narrow = ChannelRebuilder.rebuild(net, kept);
                    Autograd off = Autograd.disable()) {
                float[] before = net.forward(x, false).toFloatArray();
                float[] after = narrow.forward(x, false).toFloatArray();
                double scale = 0;
                for (float v : before) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < before.length; i++) {
                    assertEquals(before[i], after[i], 1e-5 * scale + 1e-6, "logit " + i);
                }
                assertTrue(NetworkMetrics.of(narrow).params() < NetworkMetrics.of(net).params());
            }
        }
    }

    @Test
    void resnetGroupsCoupleResidualStreams() {
        try (Network net = net("resnet20", 1)) {
            ChannelGroups g = ChannelGroups.of(net.layers(), 3);
            ChannelGroup s1 = g.group("stage1");
            assertEquals(List.of("stem.conv", "layer1.0.conv2", "layer1.1.conv2", "layer1.2.conv2"), s1.producers());
            assertTrue(s1.consumers().containsAll(List.of("layer1.0.conv1", "layer2.0.conv1", "layer2.0.shortcut.conv")));
            assertEquals(List.of("layer2.0.conv2", "layer2.0.shortcut.conv", "layer2.1.conv2", "layer2.2.conv2"),
                    g.group("stage2").producers());
            assertTrue(g.group("stage3").consumers().contains("fc"));
            assertEquals(List.of("layer1.0.conv2"), g.group("layer1.0.conv1").consumers());
            assertEquals(List.of("conv2"), ChannelGroups.of(Architectures.build(Architectures.get("vgg11")
                    .defaultSpec(10)), 3).group("conv1").consumers());
        }
    }

    @Test
    void pseRetentionMatchesHandComputedValues() {
        ReconveneSettings s = ReconveneSettings.builder().optTau(0.1).optMinChannels(1).build();
        // 4 channels x 4 weights; mask keeps 4 of 16 (d = 0.25, k = ceil(0.5 * 4) = 2).
        float[] scores = {5, 1, 1, 1, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 9};
        float[] mask = {1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        LayerSensitivity l = SensitivityEvaluator.evaluate("c", 4, scores, mask, s);
        assertEquals(0.25, l.density(), 1e-12);
        assertEquals(2, l.width());
        assertArrayEquals(new double[] {5, 6, 0, 9}, l.saliency(), 1e-12);
        assertEquals(15.0 / 20.0, l.retained(), 1e-12);
        assertEquals(0.25, l.sensitivity(), 1e-12);
        assertFalse(l.nonSensitive());
        ReconveneSettings byDensity = ReconveneSettings.builder().optCriterion(ReconveneSettings.Criterion.DENSITY)
                .optTau(0.1).optDelta(0.3).optMinChannels(1).build();
        assertTrue(SensitivityEvaluator.evaluate("c", 4, scores, mask, byDensity).nonSensitive());
    }

    @Test
    void uniformFractionIsTheClosestChannelGranularityAllows() {
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(10);
        ChannelGroups groups = ChannelGroups.of(Architectures.build(spec), 3);
        long dense = LayerProfile.of(spec, Architectures.build(spec)).prunable();
        for (double d : new double[] {0.5, 0.1, 0.02}) {
            Map<String, Integer> w = StructuredBaselines.solveUniformWidths(spec, groups, d);
            ModelSpec s = StructuredBaselines.apply(spec, groups, w);
            double err = Math.abs(LayerProfile.of(s, Architectures.build(s)).prunable() - d * dense);
            for (int i = 1; i <= 2000; i++) {
                double f = i / 2000.0;
                Map<String, Integer> alt = new LinkedHashMap<>();
                for (ChannelGroup g : groups.prunable()) {
                    alt.put(g.name(), (int) Math.max(1, Math.min(g.width(), Math.round(f * g.width()))));
                }
                ModelSpec a = StructuredBaselines.apply(spec, groups, alt);
                double altErr = Math.abs(LayerProfile.of(a, Architectures.build(a)).prunable() - d * dense);
                assertTrue(err <= altErr, "d=" + d + ": fraction " + f + " is closer");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reconvene", "spai-random", "spai-l1", "spai-layerwise"})
    void everyStructuredMethodBuildsATrainableNetworkWhoseCountsMatchItsWidths(String method) {
        PruningConfig cfg = PruningConfig.builder().setMethod(PruningMethod.parse(method)).optScorer("snip")
                .optSparsity(0.9).build();
        var data = TinyNets.data(10, 12, 7);
        try (Network net = Network.builder().setSpec(new ModelSpec("resnet20", 10, 8, 3,
                Architectures.get("resnet20").defaultSpec(10).widths())).optSeed(2).build()) {
            PruneResult r = Pruner.prune(net, cfg, PruningData.sample(data, 10, 2), 2);
            try (Network out = r.network()) {
                ModelSpec spec = out.spec();
                LayerProfile p = LayerProfile.of(spec, Architectures.build(spec));
                long tensors = out.infos().values().stream().filter(ParameterInfo::trainable)
                        .mapToLong(ParameterInfo::size).sum();
                NetworkMetrics m = NetworkMetrics.of(out);
                assertEquals(p.params(), tensors);
                assertEquals(p.params(), m.params());
                assertEquals(p.macs(), m.macs());
                assertTrue(m.params() < NetworkMetrics.of(net).params(), "narrower than dense");
                for (LayerReport l : r.layers()) {
                    assertEquals(out.infos().get(l.name() + ".weight").shape()[0], l.widthAfter());
                }
                if (!method.equals("reconvene")) {
                    assertTrue(out.masks().isEmpty(), "SPaI networks carry no masks");
                }
                TrainingConfig tc = TrainingConfig.builder().optEpochs(3).optBatchSize(40).optLearningRate(0.05)
                        .optSchedule(LearningRateSchedule.CONSTANT).optAugment(false).optSeed(1).build();
                TrainingResult t = new NetworkTrainer(tc).train(out, data);
                assertTrue(Double.isFinite(t.loss()));
                assertTrue(t.history().get(2).trainLoss() < t.history().get(0).trainLoss(), method + " trains");
            }
        }
    }

    @Test
    void reconveneRebuildsNonSensitiveGroupsDenseAndKeepsSensitiveMasks() {
        ReconveneSettings s = ReconveneSettings.builder().optTau(0.3).optMinChannels(1)
                .optReinit(ReconveneSettings.Reinit.NONE).build();
        PruningConfig cfg = PruningConfig.builder().setMethod(PruningMethod.RECONVENE).optScorer("synflow")
                .optSparsity(0.95).optStructured(s).build();
        try (Network net = net("vgg11", 4)) {
            Map<String, float[]> init = net.state();
            PruneResult r = Pruner.prune(net, cfg, null, 4);
            try (Network out = r.network()) {
                assertTrue(r.counterpart() == net, "the input is kept as the unstructured counterpart");
                long rectified = r.layers().stream().filter(LayerReport::rectified).count();
                assertTrue(rectified > 0, "some layers are non-sensitive at 95 % sparsity");
                for (LayerReport l : r.layers()) {
                    boolean masked = out.masks().containsKey(l.name() + ".weight");
                    assertEquals(!l.rectified() && !l.name().equals("fc") || (l.name().equals("fc") && masked), masked,
                            l.name());
                    if (l.rectified()) {
                        assertTrue(l.sensitivity() <= 0.3, l.name() + " sensitivity " + l.sensitivity());
                        assertEquals(l.weights() * 0 + out.infos().get(l.name() + ".weight").size(), l.nonzero());
                    }
                }
                // reinit none: every filter of a rectified layer is one of its unmasked initial
                // filters (sliced by its kept input channels), not the masked one with zeros.
                for (LayerReport l : r.layers()) {
                    if (l.rectified() && l.name().equals("conv1")) {
                        float[] w = out.tensor("conv1.weight").toFloatArray();
                        float[] w0 = init.get("conv1.weight");
                        int per = 3 * 9;
                        java.util.Set<String> originals = new java.util.HashSet<>();
                        for (int o = 0; o < w0.length / per; o++) {
                            originals.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(w0, o * per, (o + 1) * per)));
                        }
                        for (int j = 0; j < w.length / per; j++) {
                            assertTrue(originals.contains(java.util.Arrays.toString(
                                    java.util.Arrays.copyOfRange(w, j * per, (j + 1) * per))), "filter " + j);
                        }
                    }
                }
            }
        }
    }
}
