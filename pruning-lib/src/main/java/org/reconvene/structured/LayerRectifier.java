package org.reconvene.structured;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.reconvene.engine.Autograd;
import org.reconvene.model.KaimingNormalInitializer;
import org.reconvene.model.NativeArrays;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterNames;
import org.reconvene.model.ParameterInfo;
import org.reconvene.provenance.Seeds;

/**
 * Reconvene's Resilient Layer Rectifier (RLR): rebuilds the non-sensitive convolutions dense and
 * narrower.
 *
 * <p>A channel group is rectified only if every producer in it is non-sensitive (docs/METHOD.md 5.4);
 * it keeps the width of its widest producer's structured width, choosing the channels of largest
 * saliency summed over its producers. The rectified producers lose their masks; consumers lose
 * the matching input channels, and sensitive consumers keep their masks, sliced. Then the chosen
 * layers are reinitialized with the models' initializer at their new fan-in (BatchNorm gamma 1,
 * beta 0, running statistics 0 and 1).
 */
public final class LayerRectifier {

    private LayerRectifier() {}

    /**
     * Rectifies {@code net} (masked by the unstructured pruning it was scored with), slicing
     * {@code initial} (its tensors before masking) so rebuilt layers start from unmasked values.
     */
    public static Rebuild rectify(
            Network net, Map<String, float[]> initial, Map<String, LayerSensitivity> pse,
            ReconveneSettings settings, long seed) {
        ChannelGroups groups = ChannelGroups.of(net.layers(), net.spec().inputChannels());
        Map<String, int[]> kept = new LinkedHashMap<>();
        Set<String> rectifiedGroups = new HashSet<>();
        Set<String> rebuilt = new HashSet<>();
        for (ChannelGroup g : groups.prunable()) {
            List<String> producers = g.producers();
            if (!producers.stream().allMatch(p -> pse.get(p).nonSensitive())) {
                continue;
            }
            int width = 0;
            double[] saliency = new double[g.width()];
            for (String p : producers) {
                LayerSensitivity s = pse.get(p);
                width = Math.max(width, s.width());
                for (int j = 0; j < saliency.length; j++) {
                    saliency[j] += s.saliency()[j];
                }
            }
            rectifiedGroups.add(g.name());
            rebuilt.addAll(producers);
            if (width < g.width()) {
                kept.put(g.name(), ChannelRanking.top(saliency, width));
            }
        }
        Network out = ChannelRebuilder.rebuild(net, initial, kept);
        try {
            for (String conv : rebuilt) {
                out.removeMask(ParameterNames.weight(conv));
            }
            Set<String> reinit = new HashSet<>();
            if (settings.reinit() != ReconveneSettings.Reinit.NONE) {
                for (String g : rectifiedGroups) {
                    reinit.addAll(groups.group(g).producers());
                    reinit.addAll(groups.group(g).norms());
                    if (settings.reinit() == ReconveneSettings.Reinit.AFFECTED) {
                        reinit.addAll(groups.group(g).consumers());
                    }
                }
            }
            reinitialize(out, reinit, seed);
            return new Rebuild(out, kept, rebuilt);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** Fresh initial values for every tensor of the named layers, masks re-applied. */
    static void reinitialize(Network net, Set<String> layers, long seed) {
        KaimingNormalInitializer init = new KaimingNormalInitializer(Seeds.derive(seed, Seeds.REINIT));
        try (Autograd off = Autograd.disable()) {
            for (ParameterInfo p : net.infos().values()) {
                if (layers.contains(p.layer())) {
                    net.replaceTensor(p.name(), NativeArrays.create(net.manager(), init.values(p),
                            new ai.djl.ndarray.types.Shape(p.shape()), net.dataType()));
                }
            }
        }
        net.applyMasks();
    }
}
