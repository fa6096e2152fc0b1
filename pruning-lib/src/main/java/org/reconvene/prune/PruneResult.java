package org.reconvene.prune;

import java.util.List;
import java.util.Map;
import org.reconvene.model.Network;

/**
 * The outcome of pruning: the pruned network, the scores and unstructured masks behind it,
 * per-layer reports and the wall time of pruning without training.
 *
 * <p>For unstructured methods {@code network} is the network that was passed in, now masked.
 * Structured methods return a new, narrower network; the caller closes it as well as the input.
 * For Reconvene the input network is left as its unstructured counterpart (scored and masked at
 * the same sparsity), {@code counterpart}, so both can be measured side by side; it is null for
 * the other methods.
 */
public record PruneResult(
        Network network,
        Network counterpart,
        Map<String, float[]> scores,
        Map<String, float[]> masks,
        List<LayerReport> layers,
        long pruneMs) {}
