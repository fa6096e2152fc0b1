package org.reconvene.structured;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;

/**
 * Builds the narrower network that keeps chosen channels of chosen groups: the same architecture
 * from a spec with smaller widths, with every tensor and mask sliced to match.
 *
 * <p>For each narrowed group the producers' output channels, their biases, the BatchNorm
 * parameters and running statistics, and the consumers' input channels (convolutions and the
 * classifier) are sliced to the kept indices; everything else is copied. Masks are sliced like
 * their weights and installed but not applied; callers drop the ones they rebuild dense, then
 * call {@link Network#applyMasks()}. The source network is left untouched; the caller owns and
 * closes the result.
 */
public final class ChannelRebuilder {

    private ChannelRebuilder() {}

    /** Rebuilds {@code net} keeping {@code kept.get(group)} (ascending indices) of each listed group. */
    public static Network rebuild(Network net, Map<String, int[]> kept) {
        return rebuild(net, net.state(), kept);
    }

    /**
     * Like {@link #rebuild(Network, Map)} but slicing {@code values} (every tensor of {@code net}
     * by name) instead of the network's current tensors: Reconvene rebuilds from the initial
     * values before masking, so that layers rebuilt dense are not left with masked-out zeros.
     */
    public static Network rebuild(Network net, Map<String, float[]> values, Map<String, int[]> kept) {
        ModelSpec spec = net.spec();
        ChannelGroups groups = ChannelGroups.of(net.layers(), spec.inputChannels());
        for (Map.Entry<String, int[]> e : kept.entrySet()) {
            check(groups, e.getKey(), e.getValue());
        }
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String conv : spec.widths().keySet()) {
            int[] k = kept.get(groups.outputOf(conv));
            if (k != null) {
                widths.put(conv, k.length);
            }
        }
        ModelSpec narrow = spec.withWidths(widths);
        Map<String, float[]> sliced = new LinkedHashMap<>();
        for (ParameterInfo p : net.infos().values()) {
            float[] v = values.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("no values for tensor '" + p.name() + "'");
            }
            sliced.put(p.name(), slice(p, v, groups, kept));
        }
        Network out = Network.builder().setSpec(narrow).optValues(sliced).optDataType(net.dataType()).build();
        try {
            for (Map.Entry<String, NDArray> m : net.masks().entrySet()) {
                ParameterInfo p = net.infos().get(m.getKey());
                float[] maskValues = slice(p, m.getValue().toFloatArray(), groups, kept);
                try (NDArray mask = out.manager().create(maskValues, new Shape(out.infos().get(p.name()).shape()))) {
                    out.setMask(p.name(), mask);
                }
            }
            // Masks are installed but not applied: callers decide first which ones to keep.
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static void check(ChannelGroups groups, String group, int[] idx) {
        ChannelGroup g = groups.group(group);
        if (group.equals(ChannelGroup.INPUT)) {
            throw new IllegalArgumentException("the input channels cannot be pruned");
        }
        if (idx.length == 0) {
            throw new IllegalArgumentException("group " + group + " would keep no channel");
        }
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= g.width() || (i > 0 && idx[i] <= idx[i - 1])) {
                throw new IllegalArgumentException("kept channels of group " + group + " must be ascending indices below "
                        + g.width() + ", got " + Arrays.toString(idx));
            }
        }
    }

    /** Slices one tensor: dimension 0 by its output group, dimension 1 (weights) by its input group. */
    static float[] slice(ParameterInfo p, float[] v, ChannelGroups groups, Map<String, int[]> kept) {
        long[] s = p.shape();
        // exhaustive: a new tensor role is a compile error here until its slicing rule is written
        return switch (p.role()) {
            case CONV_WEIGHT -> slice(v, (int) s[0], (int) s[1], (int) (s[2] * s[3]),
                    kept.get(groups.outputOf(p.layer())), kept.get(groups.inputOf(p.layer())));
            // one filter per channel of its (input and output) group: sliced along the output only
            case DEPTHWISE_WEIGHT -> slice(v, (int) s[0], 1, (int) (s[2] * s[3]), kept.get(groups.outputOf(p.layer())),
                    null);
            case LINEAR_WEIGHT -> slice(v, (int) s[0], (int) s[1], 1, null, kept.get(groups.inputOf(p.layer())));
            case LINEAR_BIAS -> v.clone();
            // one value per output channel
            case CONV_BIAS, BN_GAMMA, BN_BETA, BN_RUNNING_MEAN, BN_RUNNING_VAR ->
                    slice(v, (int) s[0], 1, 1, kept.get(groups.outputOf(p.layer())), null);
        };
    }

    /** Rows {@code outIdx} (all if null) and columns {@code inIdx} (all if null) of an out x in x inner array. */
    static float[] slice(float[] v, int out, int in, int inner, int[] outIdx, int[] inIdx) {
        int[] rows = outIdx == null ? range(out) : outIdx;
        int[] cols = inIdx == null ? range(in) : inIdx;
        float[] r = new float[rows.length * cols.length * inner];
        int k = 0;
        for (int o : rows) {
            for (int i : cols) {
                System.arraycopy(v, (o * in + i) * inner, r, k, inner);
                k += inner;
            }
        }
        return r;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
