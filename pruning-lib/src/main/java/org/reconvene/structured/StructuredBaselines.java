package org.reconvene.structured;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.reconvene.metrics.LayerProfile;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterNames;
import org.reconvene.provenance.Seeds;

/**
 * The structured pruning-at-initialization baselines of docs/METHOD.md section 4, all rebuilding a
 * physically narrower network with no masks.
 *
 * <p>{@code spai-random} and {@code spai-l1} give every channel group the same fraction of its
 * channels, solved so that the network's prunable parameters come as close to the target density
 * as channel granularity allows; {@code spai-random} keeps random channels, {@code spai-l1} the
 * filters of largest L1 norm (summed over a group's producers). {@code spai-layerwise}
 * (PreCrop-style) gives each group the structured width of its layer density in an unstructured
 * mask at the target sparsity and keeps the channels of largest summed score. Kept filters keep
 * their initial values: which filters survive is what distinguishes the baselines.
 */
public final class StructuredBaselines {

    private StructuredBaselines() {}

    /** Uniform-fraction baseline; {@code l1} chooses by filter norm, otherwise at random. */
    public static Rebuild uniform(Network net, double density, boolean l1, long seed) {
        ChannelGroups groups = ChannelGroups.of(net.layers(), net.spec().inputChannels());
        Map<String, Integer> widths = solveUniformWidths(net.spec(), groups, density);
        Map<String, int[]> kept = new LinkedHashMap<>();
        for (ChannelGroup g : groups.prunable()) {
            int k = widths.get(g.name());
            if (k == g.width()) {
                continue;
            }
            if (l1) {
                double[] norm = new double[g.width()];
                for (String p : g.producers()) {
                    float[] w = net.tensor(ParameterNames.weight(p)).toFloatArray();
                    int per = w.length / g.width();
                    for (int i = 0; i < w.length; i++) {
                        norm[i / per] += Math.abs(w[i]);
                    }
                }
                kept.put(g.name(), ChannelRanking.top(norm, k));
            } else {
                SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, Seeds.PRUNING + "/spai/" + g.name()));
                double[] draw = new double[g.width()];
                for (int j = 0; j < draw.length; j++) {
                    draw[j] = rng.nextDouble();
                }
                kept.put(g.name(), ChannelRanking.top(draw, k));
            }
        }
        return new Rebuild(unmasked(ChannelRebuilder.rebuild(net, kept)), kept, Set.of());
    }

    /** Layer-wise baseline from an unstructured mask and its scores at the target sparsity. */
    public static Rebuild layerwise(
            Network net, Map<String, float[]> scores, Map<String, float[]> masks, ReconveneSettings settings) {
        ChannelGroups groups = ChannelGroups.of(net.layers(), net.spec().inputChannels());
        Map<String, LayerSensitivity> pse = SensitivityEvaluator.evaluate(net, scores, masks, settings);
        Map<String, int[]> kept = new LinkedHashMap<>();
        for (ChannelGroup g : groups.prunable()) {
            int width = 0;
            double[] saliency = new double[g.width()];
            for (String p : g.producers()) {
                LayerSensitivity s = pse.get(p);
                width = Math.max(width, s.width());
                for (int j = 0; j < saliency.length; j++) {
                    saliency[j] += s.saliency()[j];
                }
            }
            if (width < g.width()) {
                kept.put(g.name(), ChannelRanking.top(saliency, width));
            }
        }
        return new Rebuild(unmasked(ChannelRebuilder.rebuild(net, kept)), kept, Set.of());
    }

    private static Network unmasked(Network net) {
        net.clearMasks();
        return net;
    }

    /**
     * Group widths {@code clamp(round(f * C_g), 1, C_g)} for the fraction f whose prunable
     * parameter count is closest to {@code density} times the dense count (ties: the denser).
     */
    static Map<String, Integer> solveUniformWidths(ModelSpec spec, ChannelGroups groups, double density) {
        long dense = LayerProfile.of(spec, Architectures.build(spec)).prunable();
        double target = density * dense;
        double lo = 0;
        double hi = 1;
        // prunable(f) is non-decreasing: bisect for the smallest f reaching the target.
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (prunable(spec, groups, mid) >= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        double best = Math.abs(prunable(spec, groups, hi) - target) <= Math.abs(prunable(spec, groups, lo) - target)
                ? hi : lo;
        return widths(groups, best);
    }

    private static long prunable(ModelSpec spec, ChannelGroups groups, double f) {
        ModelSpec s = apply(spec, groups, widths(groups, f));
        return LayerProfile.of(s, Architectures.build(s)).prunable();
    }

    private static Map<String, Integer> widths(ChannelGroups groups, double f) {
        Map<String, Integer> w = new LinkedHashMap<>();
        for (ChannelGroup g : groups.prunable()) {
            w.put(g.name(), (int) Math.max(1, Math.min(g.width(), Math.round(f * g.width()))));
        }
        return w;
    }

    static ModelSpec apply(ModelSpec spec, ChannelGroups groups, Map<String, Integer> groupWidths) {
        Map<String, Integer> convWidths = new LinkedHashMap<>();
        for (String conv : spec.widths().keySet()) {
            convWidths.put(conv, groupWidths.get(groups.outputOf(conv)));
        }
        return spec.withWidths(convWidths);
    }
}
