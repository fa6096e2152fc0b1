package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;
import org.reconvene.train.Losses;

/**
 * GraSP (Wang et al., 2020): score {@code w * (H g)}, with {@code g} the gradient of the
 * cross-entropy divided by a temperature T and {@code H g} the Hessian-gradient product; the
 * highest scores are kept.
 *
 * <p>The product is exact, from one double backward over the whole pruning set, when the set has
 * at most {@link ScorerSettings#graspExactMaxSamples()} samples: the gradient is taken with its
 * graph, contracted with the stopped gradient, and differentiated again. Only one such product is
 * taken per trial because each leaks native memory in the engine (the gradient's graph refers
 * back to the parameter); afterwards every scored weight gets a fresh tensor without history.
 * Larger sets use the central finite difference {@code (grad(w + e g) - grad(w - e g)) / 2e}
 * over chunks, with {@code e = step * |w| / |g|}.
 */
public final class GraspScorer implements Scorer {

    @Override
    public String name() {
        return "grasp";
    }

    @Override
    public boolean needsData() {
        return true;
    }

    @Override
    public Scores score(ScoringContext ctx) {
        Network net = ctx.network();
        PruningData data = ctx.requireData(name());
        ScorerSettings s = ctx.settings();
        double t = s.graspTemperature();
        Map<String, double[]> g = Gradients.ofLoss(net, data, ctx.weights(), t, s.chunkSize());
        Map<String, double[]> hg =
                data.size() <= s.graspExactMaxSamples()
                        ? exactProduct(net, data, ctx.weights(), t, g)
                        : finiteDifference(net, data, ctx.weights(), t, g, s);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String w : ctx.weights()) {
            double[] v = Gradients.values(net.tensor(w));
            double[] h = hg.get(w);
            float[] score = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                score[i] = (float) (v[i] * h[i]);
            }
            out.put(w, score);
        }
        return new Scores(out);
    }

    /** H g by one double backward: d/dw of sum(grad(w) * stop(g)). */
    static Map<String, double[]> exactProduct(
            Network net, PruningData data, List<String> weights, double t, Map<String, double[]> g) {
        Map<String, double[]> hg = new LinkedHashMap<>();
        Gradients.requireGradients(net, weights, true);
        try (NDManager m = net.manager().newSubManager()) {
            NDArray images = data.images(m, net.dataType());
            NDArray labels = m.create(data.labels());
            Map<String, double[]> first = new LinkedHashMap<>();
            try (Autograd ignored = Autograd.enable()) {
                NDArray logits = net.forward(images, false).div(t);
                Autograd.backward(Losses.crossEntropy(logits, labels), true);
                NDArray z = null;
                for (String w : weights) {
                    NDArray p = net.tensor(w);
                    NDArray gw = p.getGradient();
                    gw.attach(m);
                    first.put(w, Gradients.values(gw));
                    NDArray stopped = Gradients.create(m, net, g.get(w), p.getShape());
                    NDArray term = gw.mul(stopped).sum();
                    z = z == null ? term : z.add(term);
                }
                Autograd.backward(z, false);
            }
            for (String w : weights) {
                double[] after = Gradients.read(net.tensor(w));
                double[] before = first.get(w);
                double[] h = new double[after.length];
                for (int i = 0; i < h.length; i++) {
                    h[i] = after[i] - before[i];
                }
                hg.put(w, h);
            }
        } finally {
            Gradients.requireGradients(net, weights, false);
            freshTensors(net, weights);
        }
        return hg;
    }

    /** H g by a central difference of gradients along g. */
    static Map<String, double[]> finiteDifference(
            Network net, PruningData data, List<String> weights, double t, Map<String, double[]> g,
            ScorerSettings s) {
        Map<String, double[]> orig = new LinkedHashMap<>();
        double wn = 0;
        double gn = 0;
        for (String w : weights) {
            double[] v = Gradients.values(net.tensor(w));
            orig.put(w, v);
            for (int i = 0; i < v.length; i++) {
                wn += v[i] * v[i];
                gn += g.get(w)[i] * g.get(w)[i];
            }
        }
        if (gn == 0) {
            throw new IllegalStateException("GraSP: the loss gradient is zero; cannot form H g");
        }
        double e = s.graspFdStep() * Math.sqrt(wn) / Math.sqrt(gn);
        Map<String, double[]> plus;
        Map<String, double[]> minus;
        try {
            shift(net, orig, g, e);
            plus = Gradients.ofLoss(net, data, weights, t, s.chunkSize());
            shift(net, orig, g, -e);
            minus = Gradients.ofLoss(net, data, weights, t, s.chunkSize());
        } finally {
            shift(net, orig, g, 0);
        }
        Map<String, double[]> hg = new LinkedHashMap<>();
        for (String w : weights) {
            double[] p = plus.get(w);
            double[] q = minus.get(w);
            double[] h = new double[p.length];
            for (int i = 0; i < h.length; i++) {
                h[i] = (p[i] - q[i]) / (2 * e);
            }
            hg.put(w, h);
        }
        return hg;
    }

    private static void shift(Network net, Map<String, double[]> orig, Map<String, double[]> dir, double e) {
        for (Map.Entry<String, double[]> en : orig.entrySet()) {
            double[] v = en.getValue();
            double[] d = dir.get(en.getKey());
            double[] x = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                x[i] = v[i] + e * d[i];
            }
            Shape shape = net.tensor(en.getKey()).getShape();
            try (Autograd ignored = Autograd.disable()) {
                net.replaceTensor(en.getKey(), Gradients.create(net.manager(), net, x, shape));
            }
        }
    }

    /** Gives each weight a copy without gradient or autograd history. */
    private static void freshTensors(Network net, List<String> weights) {
        try (Autograd ignored = Autograd.disable()) {
            for (String w : weights) {
                NDArray old = net.tensor(w);
                NDArray fresh = old.duplicate();
                net.replaceTensor(w, fresh);
            }
        }
    }
}
