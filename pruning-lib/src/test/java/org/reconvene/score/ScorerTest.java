package org.reconvene.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reconvene.data.ImageDataset;
import org.reconvene.engine.Autograd;
import org.reconvene.mask.MaskScope;
import org.reconvene.mask.Masker;
import org.reconvene.prune.UnstructuredPruner;
import org.reconvene.model.Network;
import org.reconvene.train.Losses;

/** The scorers of docs/METHOD.md section 3 against independent computations and invariants. */
class ScorerTest {

    private static ScoringContext context(Network net, PruningData data, double density, ScorerSettings s) {
        UnstructuredPruner p = new UnstructuredPruner(new MagnitudeScorer(), MaskScope.GLOBAL, false, s);
        return new ScoringContext(net, data, p.prunableWeights(net), new Masker(MaskScope.GLOBAL), density, 7, s);
    }

    /** The scorers' loss, evaluated by plain forward passes (no autograd). */
    private static double loss(Network net, PruningData data, double temperature) {
        double sum = 0;
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.disable()) {
            for (NDArray[] c : data.chunks(m, 256, net.dataType())) {
                NDArray logits = net.forward(c[0], false).div(temperature);
                sum += Losses.crossEntropy(logits, c[1]).toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return sum;
    }

    private static void setWeight(Network net, String w, int i, double value) {
        try (Autograd off = Autograd.disable()) {
            NDArray t = net.tensor(w);
            double[] v = t.toDoubleArray();
            v[i] = value;
            net.replaceTensor(w, net.manager().create(v, t.getShape()));
        }
    }

    @Test
    void snipEqualsAbsGradTimesWeightFromFiniteDifferences() {
        ImageDataset data = TinyNets.data(3, 12, 1);
        PruningData pd = PruningData.sample(data, 10, 3);
        try (Network net = TinyNets.narrowResNet(3, 5, DataType.FLOAT64)) {
            ScoringContext ctx = context(net, pd, 0.1, ScorerSettings.defaults());
            Map<String, float[]> scores = new SnipScorer().score(ctx).values();
            int checked = 0;
            for (String w : List.of("stem.conv.weight", "layer2.0.conv1.weight", "layer3.2.conv2.weight",
                    "layer2.0.shortcut.conv.weight", "fc.weight")) {
                double[] v = net.tensor(w).toDoubleArray();
                for (int i = 0; i < v.length; i += Math.max(1, v.length / 12)) {
                    double h = 1e-6;
                    setWeight(net, w, i, v[i] + h);
                    double up = loss(net, pd, 1);
                    setWeight(net, w, i, v[i] - h);
                    double down = loss(net, pd, 1);
                    setWeight(net, w, i, v[i]);
                    double expected = Math.abs((up - down) / (2 * h) * v[i]);
                    assertEquals(expected, scores.get(w)[i], 1e-5 + 1e-3 * expected, w + "[" + i + "]");
                    checked++;
                }
            }
            assertTrue(checked > 50);
        }
    }

    /** Gradients at w + e * dir, for the central difference. */
    private static Map<String, double[]> gradientsAt(
            Network net, PruningData pd, List<String> ws, Map<String, double[]> orig, Map<String, double[]> dir, double e) {
        try (Autograd off = Autograd.disable()) {
            for (String w : ws) {
                double[] v = orig.get(w).clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] += e * dir.get(w)[i];
                }
                net.replaceTensor(w, net.manager().create(v, net.tensor(w).getShape()));
            }
        }
        return Gradients.ofLoss(net, pd, ws, 200, 256);
    }

    @Test
    void graspExactProductEqualsFloat64CentralDifference() {
        ImageDataset data = TinyNets.data(3, 12, 2);
        PruningData pd = PruningData.sample(data, 10, 4);
        try (Network net = TinyNets.narrowResNet(3, 6, DataType.FLOAT64)) {
            List<String> ws = context(net, pd, 0.1, ScorerSettings.defaults()).weights();
            Map<String, double[]> orig = new HashMap<>();
            ws.forEach(w -> orig.put(w, net.tensor(w).toDoubleArray()));
            Map<String, double[]> g = Gradients.ofLoss(net, pd, ws, 200, 256);
            Map<String, double[]> exact = GraspScorer.exactProduct(net, pd, ws, 200, g);
            // (grad(w + e g) - grad(w - e g)) / 2e in float64, with a step small enough that no
            // ReLU changes sides.
            double wn = 0;
            double gn = 0;
            for (String w : ws) {
                for (int i = 0; i < orig.get(w).length; i++) {
                    wn += orig.get(w)[i] * orig.get(w)[i];
                    gn += g.get(w)[i] * g.get(w)[i];
                }
            }
            double e = 1e-6 * Math.sqrt(wn / gn);
            Map<String, double[]> plus = gradientsAt(net, pd, ws, orig, g, e);
            Map<String, double[]> minus = gradientsAt(net, pd, ws, orig, g, -e);
            double num = 0;
            double den = 0;
            for (String w : ws) {
                for (int i = 0; i < exact.get(w).length; i++) {
                    double fd = (plus.get(w)[i] - minus.get(w)[i]) / (2 * e);
                    double d = exact.get(w)[i] - fd;
                    num += d * d;
                    den += exact.get(w)[i] * exact.get(w)[i];
                }
            }
            assertTrue(den > 0, "H g is not identically zero");
            assertTrue(Math.sqrt(num / den) < 1e-4, "relative error " + Math.sqrt(num / den));
        }
    }

    @Test
    void graspOnABalancedHessianSubsetStaysCloseToTheFullProduct() {
        PruningData pd = PruningData.sample(TinyNets.data(3, 12, 2), 10, 4);
        assertEquals(9, pd.balancedSubset(9).size());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, pd.balancedSubset(9).labels());
        Map<String, float[]> full;
        Map<String, float[]> sub;
        try (Network net = TinyNets.narrowResNet(3, 6, DataType.FLOAT32)) {
            full = new GraspScorer().score(context(net, pd, 0.1, ScorerSettings.defaults())).values();
        }
        try (Network net = TinyNets.narrowResNet(3, 6, DataType.FLOAT32)) {
            sub = new GraspScorer().score(context(net, pd, 0.1, ScorerSettings.defaults().withGraspHessianMaxSamples(15)))
                    .values();
        }
        // Same sign structure for most weights: a stochastic Hessian, not a different criterion.
        long agree = 0;
        long n = 0;
        for (String w : full.keySet()) {
            for (int i = 0; i < full.get(w).length; i++) {
                agree += Math.signum(full.get(w)[i]) == Math.signum(sub.get(w)[i]) ? 1 : 0;
                n++;
            }
        }
        assertTrue(agree > 0.6 * n, "sign agreement " + agree + " of " + n);
    }

    @Test
    void graspLeavesWeightsUnchangedAndWithoutGradients() {
        PruningData pd = PruningData.sample(TinyNets.data(3, 12, 2), 10, 4);
        try (Network net = TinyNets.narrowResNet(3, 6, DataType.FLOAT32)) {
            Map<String, float[]> before = net.state();
            new GraspScorer().score(context(net, pd, 0.1, ScorerSettings.defaults()));
            Map<String, float[]> after = net.state();
            for (String k : before.keySet()) {
                assertArrayEquals(before.get(k), after.get(k), k);
                assertFalse(net.tensor(k).hasGradient(), k);
            }
        }
    }

    @Test
    void synflowConservesFlowInEveryLayerOfABiasFreeReluNetwork() {
        try (Network net = TinyNets.plain(3, 11, DataType.FLOAT32); NDManager m = NDManager.newBaseManager()) {
            // Positive weights, so |w| = w and R is the network's own output sum on all-ones input.
            try (Autograd off = Autograd.disable()) {
                for (String k : new ArrayList<>(net.tensors().keySet())) {
                    net.replaceTensor(k, net.tensor(k).abs());
                }
            }
            double r;
            try (Autograd off = Autograd.disable()) {
                r = net.forward(m.ones(new Shape(1, 3, 8, 8)), false).sum().getFloat();
            }
            ScorerSettings one = ScorerSettings.defaults().withSynflowRounds(1);
            Map<String, float[]> s = new SynFlowScorer().score(context(net, null, 1.0, one)).values();
            assertEquals(List.of("c1.weight", "c2.weight", "fc.weight"), new ArrayList<>(s.keySet()));
            for (Map.Entry<String, float[]> e : s.entrySet()) {
                double sum = 0;
                for (float v : e.getValue()) {
                    sum += v;
                }
                assertEquals(r, sum, 1e-4 * r, "summed SynFlow score of " + e.getKey());
            }
        }
    }

    @Test
    void synflowNeverRevivesAPrunedWeightAndRestoresSigns() {
        try (Network net = TinyNets.narrowResNet(3, 12, DataType.FLOAT32)) {
            Map<String, float[]> before = net.state();
            List<Map<String, float[]>> rounds = new ArrayList<>();
            ScoringContext ctx = context(net, null, 0.05, ScorerSettings.defaults());
            Scores s = new SynFlowScorer((k, masks) -> {
                Map<String, float[]> copy = new HashMap<>();
                masks.forEach((w, m) -> copy.put(w, m.clone()));
                rounds.add(copy);
            }).score(ctx);
            assertEquals(100, rounds.size());
            long n = ctx.weights().stream().mapToLong(w -> net.infos().get(w).size()).sum();
            for (int k = 1; k < rounds.size(); k++) {
                long kept = 0;
                for (String w : ctx.weights()) {
                    float[] prev = rounds.get(k - 1).get(w);
                    float[] cur = rounds.get(k).get(w);
                    for (int i = 0; i < cur.length; i++) {
                        assertFalse(prev[i] == 0f && cur[i] == 1f, "round " + (k + 1) + " revived " + w + "[" + i + "]");
                        kept += (long) cur[i];
                    }
                }
                assertEquals(Math.round(Math.pow(0.05, (k + 1) / 100.0) * n), kept, "round " + (k + 1));
            }
            assertTrue(s.masks().isPresent());
            Map<String, float[]> after = net.state();
            for (String k : before.keySet()) {
                assertArrayEquals(before.get(k), after.get(k), "restored " + k);
            }
        }
    }

    @Test
    void sameSeedSameMaskOtherSeedDifferentForRandomAndSnip() {
        ImageDataset data = TinyNets.data(3, 30, 3);
        for (String scorer : List.of("random", "snip")) {
            Map<String, float[]> a = masks(scorer, data, 21);
            Map<String, float[]> b = masks(scorer, data, 21);
            Map<String, float[]> c = masks(scorer, data, 22);
            boolean differs = false;
            for (String w : a.keySet()) {
                assertArrayEquals(a.get(w), b.get(w), scorer + " " + w);
                differs |= !java.util.Arrays.equals(a.get(w), c.get(w));
            }
            assertTrue(differs, scorer + ": another seed gives another mask");
        }
    }

    private static Map<String, float[]> masks(String scorer, ImageDataset data, long seed) {
        try (Network net = TinyNets.narrowResNet(3, seed, DataType.FLOAT32)) {
            UnstructuredPruner p =
                    new UnstructuredPruner(Scorers.get(scorer), MaskScope.GLOBAL, false, ScorerSettings.defaults());
            return p.prune(net, PruningData.sample(data, 10, seed), 0.2, seed).masks();
        }
    }

    @Test
    void prunerInstallsMasksKeepingExactlyRoundDN() {
        ImageDataset data = TinyNets.data(3, 12, 3);
        for (String scorer : Scorers.NAMES) {
            for (boolean denseClassifier : new boolean[] {false, true}) {
                try (Network net = TinyNets.narrowResNet(3, 4, DataType.FLOAT32)) {
                    UnstructuredPruner p = new UnstructuredPruner(Scorers.get(scorer), MaskScope.GLOBAL,
                            denseClassifier, ScorerSettings.defaults().withSynflowRounds(10));
                    List<String> ws = p.prunableWeights(net);
                    assertEquals(!denseClassifier, ws.contains("fc.weight"));
                    long n = ws.stream().mapToLong(w -> net.infos().get(w).size()).sum();
                    p.prune(net, PruningData.sample(data, 10, 1), 0.1, 1);
                    long kept = 0;
                    for (String w : ws) {
                        float[] m = net.masks().get(w).toFloatArray();
                        float[] v = net.tensor(w).toFloatArray();
                        for (int i = 0; i < m.length; i++) {
                            kept += (long) m[i];
                            if (m[i] == 0f) {
                                assertTrue(v[i] == 0f, scorer + ": masked weight is zero");
                            }
                        }
                    }
                    assertEquals(Math.round(0.1 * n), kept, scorer + " denseClassifier=" + denseClassifier);
                    assertEquals(denseClassifier, !net.masks().containsKey("fc.weight"));
                }
            }
        }
    }
}
