package org.reconvene.metrics;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;

/**
 * The size and compute metrics of docs/METHOD.md section 7, measured on a network as built.
 *
 * <p>{@code paramsNonzero} and {@code macsNonzero} count what survives the masks: a masked
 * weight contributes its mask's ones, and a masked convolution performs one MAC per surviving
 * weight per output position. {@code serializedBytes} is the size of the network stored dense
 * by {@link NetworkStore}, as it would be deployed.
 */
public record NetworkMetrics(
        long params,
        long paramsNonzero,
        long prunable,
        long prunableNonzero,
        long macs,
        long macsNonzero,
        long serializedBytes) {

    /** Measures {@code net}. */
    public static NetworkMetrics of(Network net) {
        LayerProfile profile = LayerProfile.of(net.spec(), net.layers());
        long removed = 0;
        long macsRemoved = 0;
        for (Map.Entry<String, NDArray> e : net.masks().entrySet()) {
            String layer = net.infos().get(e.getKey()).layer();
            LayerProfile.Row row = profile.row(layer);
            long kept;
            try (NDArray sum = e.getValue().sum()) {
                kept = Math.round(sum.getFloat());
            }
            long pruned = row.prunable() - kept;
            removed += pruned;
            long positions = (long) row.outSize() * row.outSize();
            macsRemoved += pruned * positions;
        }
        return new NetworkMetrics(
                profile.params(),
                profile.params() - removed,
                profile.prunable(),
                profile.prunable() - removed,
                profile.macs(),
                profile.macs() - macsRemoved,
                NetworkStore.serializedBytes(net));
    }

    /** Fraction of prunable weights that survive the masks. */
    public double density() {
        return prunable == 0 ? 1.0 : (double) prunableNonzero / prunable;
    }
}
