package org.reconvene.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.reconvene.mask.UnstructuredPruner;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;
import org.reconvene.score.PruningData;
import org.reconvene.score.Scorers;

/**
 * Applies a {@link PruningConfig} to a freshly initialized network: the one entry point that the
 * CLI and the sweep jobs share, so both prune identically.
 */
public final class Pruner {

    private Pruner() {}

    /**
     * Prunes {@code net}; {@code data} is the pruning data (null only for data-free scorers or
     * the dense method) and {@code seed} the trial seed.
     */
    public static PruneResult prune(Network net, PruningConfig config, PruningData data, long seed) {
        switch (config.method()) {
            case DENSE:
                return new PruneResult(net, Map.of(), Map.of(), layerReports(net), 0);
            case UPAI:
                UnstructuredPruner.Outcome o =
                        new UnstructuredPruner(Scorers.get(config.scorer()), config.scope(), config.denseClassifier(),
                                config.scorerSettings())
                                .prune(net, data, config.density(), seed);
                return new PruneResult(net, o.scores(), o.masks(), layerReports(net), o.pruneMs());
            default:
                throw new IllegalStateException("unhandled method " + config.method());
        }
    }

    /** Weights, surviving weights and density of every prunable layer of {@code net}. */
    public static List<LayerReport> layerReports(Network net) {
        List<LayerReport> out = new ArrayList<>();
        for (ParameterInfo p : net.infos().values()) {
            if (!p.prunable()) {
                continue;
            }
            long n = p.size();
            long nonzero = n;
            if (net.masks().containsKey(p.name())) {
                try (ai.djl.ndarray.NDArray sum = net.masks().get(p.name()).sum()) {
                    nonzero = Math.round(sum.getFloat());
                }
            }
            out.add(new LayerReport(p.layer(), n, nonzero, (double) nonzero / n));
        }
        return out;
    }
}
