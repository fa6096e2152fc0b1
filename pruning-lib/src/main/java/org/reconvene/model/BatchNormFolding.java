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
        foldValues(net.layers(), state, folded);
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
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            Layer l = graph.get(i);
            if (l instanceof Layer.Conv c && i + 1 < graph.size() && graph.get(i + 1) instanceof Layer.BatchNorm) {
                out.add(new Layer.Conv(c.name(), c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding(),
                        true, c.group()));
                i++;
            } else if (l instanceof Layer.Residual r) {
                out.add(new Layer.Residual(r.name(), foldGraph(r.main()), foldGraph(r.shortcut())));
            } else {
                out.add(l);
            }
        }
        return List.copyOf(out);
    }

    private static void foldValues(List<Layer> graph, Map<String, float[]> in, Map<String, float[]> out) {
        for (int i = 0; i < graph.size(); i++) {
            Layer l = graph.get(i);
            if (l instanceof Layer.Conv c && i + 1 < graph.size() && graph.get(i + 1) instanceof Layer.BatchNorm b) {
                String bn = b.name();
                float[] w = in.get(c.name() + ".weight");
                float[] bias = c.bias() ? in.get(c.name() + ".bias") : new float[c.outChannels()];
                float[] gamma = in.get(bn + ".weight");
                float[] beta = in.get(bn + ".bias");
                float[] mean = in.get(bn + ".running_mean");
                float[] var = in.get(bn + ".running_var");
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
                out.put(c.name() + ".weight", fw);
                out.put(c.name() + ".bias", fb);
                for (String t : List.of(".weight", ".bias", ".running_mean", ".running_var")) {
                    out.remove(bn + t);
                }
                i++;
            } else if (l instanceof Layer.Residual r) {
                foldValues(r.main(), in, out);
                foldValues(r.shortcut(), in, out);
            }
        }
    }
}
