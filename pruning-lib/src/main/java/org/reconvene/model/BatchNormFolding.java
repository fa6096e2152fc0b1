package org.reconvene.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds inference-mode BatchNorm into the convolution before it, for deployment: with
 * {@code s = gamma / sqrt(running_var + eps)}, the convolution's weights become {@code w * s}
 * per output channel and its bias {@code (b - running_mean) * s + beta}, and the BatchNorm
 * layer disappears. Outputs are unchanged up to float rounding; one kernel launch and one pass
 * over every activation map per BatchNorm are saved.
 *
 * <p>The folded network is built from the same spec with {@link ModelSpec#batchNormFolded()}
 * set, so it saves and loads like any network. Masks carry over: scaling keeps zeros at zero.
 * It is for inference only: training it would train a different parametrization.
 */
public final class BatchNormFolding {

    private BatchNormFolding() {}

    /** The folded network of {@code net}; a new network the caller closes. */
    public static Network fold(Network net) {
        if (net.spec().batchNormFolded()) {
            throw new IllegalArgumentException("the network's BatchNorm is already folded");
        }
        Map<String, float[]> state = net.state();
        Map<String, float[]> folded = new LinkedHashMap<>(state);
        fold(net.layers(), state, folded);
        Network out = Network.builder().setSpec(net.spec().withBatchNormFolded()).optValues(folded)
                .optDataType(net.dataType()).build();
        try {
            net.masks().forEach(out::setMask);
            out.applyMasks();
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /**
     * The graph with each Conv that is directly followed by a BatchNorm replaced by a Conv with
     * bias and the BatchNorm removed, in nested residual branches too.
     */
    static List<Layer> foldGraph(List<Layer> graph) {
        return fold(graph, null, null);
    }

    /** Folds {@code graph}; with value maps, also writes the folded tensors from {@code in} into {@code out}. */
    private static List<Layer> fold(List<Layer> graph, Map<String, float[]> in, Map<String, float[]> out) {
        List<Layer> result = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            Layer.BatchNorm next = i + 1 < graph.size() && graph.get(i + 1) instanceof Layer.BatchNorm b ? b : null;
            boolean consumedNext = graph.get(i).accept(new Fold(next, result, in, out));
            if (consumedNext) {
                i++;
            }
        }
        return List.copyOf(result);
    }

    /**
     * Appends one layer's folded form to {@code result}; returns whether it absorbed the
     * BatchNorm that follows it ({@code next}, null when the next layer is something else).
     */
    private record Fold(Layer.BatchNorm next, List<Layer> result, Map<String, float[]> in, Map<String, float[]> out)
            implements Layer.Visitor<Boolean> {

        @Override
        public Boolean conv(Layer.Conv c) {
            if (next == null) {
                result.add(c);
                return false;
            }
            result.add(new Layer.Conv(c.name(), c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding(),
                    true, c.group(), c.groups()));
            if (in != null) {
                foldValues(c, next, in, out);
            }
            return true;
        }

        @Override
        public Boolean batchNorm(Layer.BatchNorm b) {
            result.add(b); // not after a convolution: nothing to fold it into
            return false;
        }

        @Override
        public Boolean linear(Layer.Linear f) {
            result.add(f);
            return false;
        }

        @Override
        public Boolean relu(Layer.Relu r) {
            result.add(r);
            return false;
        }

        @Override
        public Boolean relu6(Layer.Relu6 r) {
            result.add(r);
            return false;
        }

        @Override
        public Boolean maxPool(Layer.MaxPool p) {
            result.add(p);
            return false;
        }

        @Override
        public Boolean avgPool(Layer.AvgPool p) {
            result.add(p);
            return false;
        }

        @Override
        public Boolean globalAvgPool(Layer.GlobalAvgPool g) {
            result.add(g);
            return false;
        }

        @Override
        public Boolean residual(Layer.Residual r) {
            result.add(new Layer.Residual(r.name(), fold(r.main(), in, out), fold(r.shortcut(), in, out)));
            return false;
        }
    }

    private static void foldValues(Layer.Conv c, Layer.BatchNorm b, Map<String, float[]> in, Map<String, float[]> out) {
        float[] w = in.get(c.weightName());
        float[] bias = c.bias() ? in.get(c.biasName()) : new float[c.outChannels()];
        float[] gamma = in.get(b.gammaName());
        float[] beta = in.get(b.betaName());
        float[] mean = in.get(b.runningMeanName());
        float[] var = in.get(b.runningVarName());
        int per = w.length / c.outChannels();
        float[] fw = new float[w.length];
        float[] fb = new float[c.outChannels()];
        for (int o = 0; o < c.outChannels(); o++) {
            // double, so the fold adds no rounding of its own beyond the final float
            double s = gamma[o] / Math.sqrt((double) var[o] + Network.BN_EPS);
            for (int k = o * per; k < (o + 1) * per; k++) {
                fw[k] = (float) (w[k] * s);
            }
            fb[o] = (float) ((bias[o] - (double) mean[o]) * s + beta[o]);
        }
        out.put(c.weightName(), fw);
        out.put(c.biasName(), fb);
        ParameterNames.ofBatchNorm(b.name()).forEach(out::remove);
    }
}
