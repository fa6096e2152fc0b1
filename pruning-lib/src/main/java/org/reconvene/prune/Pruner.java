package org.reconvene.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;
import org.reconvene.score.PruningData;
import org.reconvene.score.Scorers;
import org.reconvene.structured.LayerRectifier;
import org.reconvene.structured.LayerSensitivity;
import org.reconvene.structured.Rebuild;
import org.reconvene.structured.SensitivityEvaluator;
import org.reconvene.structured.StructuredBaselines;

/**
 * Applies a {@link PruningConfig} to a freshly initialized network: the one entry point that the
 * CLI and the sweep jobs share, so both prune identically. {@code pruneMs} covers scoring,
 * masking, PSE and RLR or the baseline's rebuild, and nothing else.
 */
public final class Pruner {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pruner.class);

    private Pruner() {}

    /**
     * Prunes {@code net}; {@code data} is the pruning data (null only for data-free scorers or
     * methods) and {@code seed} the trial seed.
     */
    public static PruneResult prune(Network net, PruningConfig config, PruningData data, long seed) {
        long t0 = System.nanoTime();
        // exhaustive: a new method is a compile error here until it is implemented
        return switch (config.method()) {
            case DENSE -> new PruneResult(net, null, Map.of(), Map.of(), reports(net, net, Map.of(), Set.of()), 0);
            case UPAI -> {
                UnstructuredPruner.Outcome o = unstructured(config).prune(net, data, config.density(), seed);
                yield new PruneResult(net, null, o.scores(), o.masks(), reports(net, net, Map.of(), Set.of()),
                        o.pruneMs());
            }
            case RECONVENE -> {
                Map<String, float[]> initial = net.state();
                UnstructuredPruner.Outcome o = unstructured(config).prune(net, data, config.density(), seed);
                long t1 = System.nanoTime();
                Map<String, LayerSensitivity> pse =
                        SensitivityEvaluator.evaluate(net, o.scores(), o.masks(), config.structured());
                long t2 = System.nanoTime();
                Rebuild r = LayerRectifier.rectify(net, initial, pse, config.structured(), seed);
                long ms = elapsed(t0);
                LOG.debug("reconvene: unstructured {} ms, PSE {} ms, RLR {} ms", (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
                yield new PruneResult(r.network(), net, o.scores(), o.masks(),
                        reports(net, r.network(), pse, r.rebuilt()), ms);
            }
            case SPAI_RANDOM, SPAI_L1 -> {
                Rebuild r = StructuredBaselines.uniform(net, config.density(), config.method() == PruningMethod.SPAI_L1,
                        seed);
                long ms = elapsed(t0);
                yield new PruneResult(r.network(), null, Map.of(), Map.of(), reports(net, r.network(), Map.of(),
                        Set.of()), ms);
            }
            case SPAI_LAYERWISE -> {
                UnstructuredPruner.Outcome o = unstructured(config).score(net, data, config.density(), seed);
                Rebuild r = StructuredBaselines.layerwise(net, o.scores(), o.masks(), config.structured());
                long ms = elapsed(t0);
                yield new PruneResult(r.network(), null, o.scores(), o.masks(), reports(net, r.network(), Map.of(),
                        Set.of()), ms);
            }
        };
    }

    private static UnstructuredPruner unstructured(PruningConfig config) {
        return new UnstructuredPruner(Scorers.get(config.scorer()), config.scope(), config.denseClassifier(),
                config.scorerSettings());
    }

    private static long elapsed(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * One report per prunable layer of {@code before}: its weights there, what survives in
     * {@code after} (after masks), its output widths in both, PSE's sensitivity and whether RLR
     * rebuilt it.
     */
    public static List<LayerReport> reports(
            Network before, Network after, Map<String, LayerSensitivity> pse, Set<String> rebuilt) {
        List<LayerReport> out = new ArrayList<>();
        for (ParameterInfo p : before.infos().values()) {
            if (!p.prunable()) {
                continue;
            }
            ParameterInfo q = after.infos().get(p.name());
            long nonzero = q.size();
            if (after.masks().containsKey(p.name())) {
                try (ai.djl.ndarray.NDArray sum = after.masks().get(p.name()).sum()) {
                    nonzero = Math.round(sum.getFloat());
                }
            }
            LayerSensitivity s = pse.get(p.layer());
            out.add(new LayerReport(p.layer(), p.size(), nonzero, (double) nonzero / p.size(), (int) p.shape()[0],
                    (int) q.shape()[0], s == null ? Double.NaN : s.sensitivity(), rebuilt.contains(p.layer())));
        }
        return out;
    }
}
