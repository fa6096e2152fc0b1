package org.reconvene.prune;

import java.util.List;
import java.util.Map;
import org.reconvene.model.Network;

/**
 * The outcome of pruning: the pruned network (the same object for unstructured methods, a new,
 * narrower one for structured methods, which the caller must close), the scores and masks behind
 * it, per-layer reports and the wall time of pruning without training.
 */
public record PruneResult(
        Network network,
        Map<String, float[]> scores,
        Map<String, float[]> masks,
        List<LayerReport> layers,
        long pruneMs) {}
