package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.engine.Autograd;
import org.reconvene.model.NativeArrays;
import org.reconvene.model.Network;
import org.reconvene.train.Losses;

/**
 * GraSP (Wang et al., 2020): score {@code w * (H g)}, with {@code g} the gradient of the
 * cross-entropy divided by a temperature T and {@code H g} the Hessian-gradient product; the
 * highest scores are kept.
 *
 * <p>{@code g} is summed over the whole pruning set. The product is exact: one double backward in
 * which the gradient is taken with its graph, contracted with the stopped {@code g}, and
 * differentiated again. Only one such product is taken per trial, because each leaks native
 * memory in the engine (the gradient's graph refers back to the parameter) and holds the whole
 * batch's double-backward graph; afterwards every scored weight gets a fresh tensor without
 * history. When the pruning set is larger than {@link ScorerSettings#graspHessianMaxSamples()}
 * (CIFAR-100 and Tiny ImageNet), H is taken on a class-balanced subset of that size.
 *
 * <p>Why not a central finite difference of gradients: on ReLU networks a step large enough to
 * survive float32 rounding crosses activation kinks, where the gradient jumps, and the jump
 * divided by the step swamps the product (measured: relative error above 1 at every step from
 * 1e-3 to 1e-1 of |w| on a small ResNet). The tests use a float64 difference with a tiny step as
 * an independent reference instead.
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
        PruningData hessianData =
                data.size() <= s.graspHessianMaxSamples() ? data : data.balancedSubset(s.graspHessianMaxSamples());
        Map<String, double[]> hg = exactProduct(net, hessianData, ctx.weights(), t, g);
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
        // Start from leaves without a .grad: accumulating a create_graph gradient into an old one
        // gave NaN products at random on full-width VGG-16.
        freshTensors(net, weights);
        Gradients.requireGradients(net, weights, true);
        try (NDManager m = net.manager().newSubManager()) {
            NDArray images = data.images(m, net.dataType());
            NDArray labels = m.create(data.labels());
            Map<String, double[]> first = new LinkedHashMap<>();
            try (Autograd ignored = Autograd.enable()) {
                NDArray out = net.forward(images, false);
                NDArray logits = out.div(NativeArrays.scalar(out, t));
                Autograd.backward(Losses.crossEntropy(logits, labels), true);
                NDArray z = null;
                for (String w : weights) {
                    NDArray p = net.tensor(w);
                    NDArray gw = p.getGradient();
                    gw.attach(m);
                    try (Autograd off = Autograd.disable()) {
                        first.put(w, Gradients.values(gw));
                    }
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
