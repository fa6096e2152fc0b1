package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;
import org.reconvene.train.Losses;

/**
 * Gradients of the cross-entropy over pruning data with respect to chosen weights, the building
 * block of SNIP and GraSP.
 *
 * <p>BatchNorm runs in inference mode (running statistics), as the reference scorers do.
 * Gradients are summed over chunks of the data, each chunk's loss being its mean, and returned
 * as double arrays; the weights' accumulated gradients are zeroed afterwards.
 */
final class Gradients {

    private Gradients() {}

    /** d(sum over chunks of mean CE(logits / temperature))/dw for every weight in {@code weights}. */
    static Map<String, double[]> ofLoss(
            Network net, PruningData data, List<String> weights, double temperature, int chunkSize) {
        Map<String, double[]> sum = new LinkedHashMap<>();
        requireGradients(net, weights, true);
        try (NDManager m = net.manager().newSubManager()) {
            for (NDArray[] chunk : data.chunks(m, chunkSize, net.dataType())) {
                try (NDManager step = m.newSubManager()) {
                    step.tempAttachAll(chunk[0], chunk[1]);
                    try (Autograd ignored = Autograd.enable()) {
                        NDArray logits = net.forward(chunk[0], false);
                        if (temperature != 1.0) {
                            logits = logits.div(org.reconvene.model.NativeArrays.scalar(logits, temperature));
                        }
                        Autograd.backward(Losses.crossEntropy(logits, chunk[1]));
                    }
                }
                accumulate(net, weights, sum);
            }
        } finally {
            requireGradients(net, weights, false);
        }
        return sum;
    }

    /** Adds each weight's current gradient to {@code sum} and zeroes it. */
    static void accumulate(Network net, List<String> weights, Map<String, double[]> sum) {
        for (String w : weights) {
            NDArray p = net.tensor(w);
            double[] g = read(p);
            double[] acc = sum.computeIfAbsent(w, k -> new double[g.length]);
            for (int i = 0; i < g.length; i++) {
                acc[i] += g[i];
            }
            Autograd.zeroGradient(p);
        }
    }

    /** The gradient of {@code p} as doubles (zeros if it has none yet). */
    static double[] read(NDArray p) {
        try (NDArray g = p.getGradient();
                NDArray d = g.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)) {
            return d.toDoubleArray();
        }
    }

    static void requireGradients(Network net, List<String> weights, boolean on) {
        for (String w : weights) {
            net.tensor(w).setRequiresGradient(on);
        }
    }

    /** A tensor's values as doubles. */
    static double[] values(NDArray a) {
        try (NDArray d = a.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)) {
            return d.toDoubleArray();
        }
    }

    /** A tensor of {@code net}'s element type holding {@code v}, created in {@code m}. */
    static NDArray create(NDManager m, Network net, double[] v, ai.djl.ndarray.types.Shape shape) {
        return org.reconvene.model.NativeArrays.create(m, v, shape, net.dataType());
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
