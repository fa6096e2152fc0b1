package org.reconvene.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.mask.Masker;
import org.reconvene.mask.MaskScope;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;
import org.reconvene.score.PruningData;
import org.reconvene.score.Scorer;
import org.reconvene.score.ScorerSettings;
import org.reconvene.score.Scores;
import org.reconvene.score.ScoringContext;

/**
 * Unstructured pruning at initialization: score the prunable weights, keep the best at the
 * target density, and install the masks on the network.
 *
 * <p>With {@code denseClassifier} the classifier is neither scored nor masked, and the density is
 * taken over the remaining prunable weights. The pruner is stateless; {@link #prune} changes the
 * network (masks set, masked weights zeroed) and returns what it computed.
 */
public final class UnstructuredPruner {

    private final Scorer scorer;
    private final MaskScope scope;
    private final boolean denseClassifier;
    private final ScorerSettings settings;

    /** A pruner using {@code scorer} with the given masking options. */
    public UnstructuredPruner(Scorer scorer, MaskScope scope, boolean denseClassifier, ScorerSettings settings) {
        this.scorer = scorer;
        this.scope = scope;
        this.denseClassifier = denseClassifier;
        this.settings = settings;
    }

    /** What pruning produced: scores and masks per weight, and the wall time of both. */
    public record Outcome(Map<String, float[]> scores, Map<String, float[]> masks, long pruneMs) {}

    /** The weights pruning may mask, in layer order. */
    public List<String> prunableWeights(Network net) {
        List<String> out = new ArrayList<>();
        String classifier = classifier(net);
        for (ParameterInfo p : net.infos().values()) {
            if (p.prunable() && !(denseClassifier && p.layer().equals(classifier))) {
                out.add(p.name());
            }
        }
        return out;
    }

    /** Scores and masks {@code net} at {@code density}; {@code data} may be null for data-free scorers. */
    public Outcome prune(Network net, PruningData data, double density, long seed) {
        long t0 = System.nanoTime();
        Outcome o = score(net, data, density, seed);
        for (Map.Entry<String, float[]> e : o.masks().entrySet()) {
            Shape shape = new Shape(net.infos().get(e.getKey()).shape());
            try (NDArray m = net.manager().create(e.getValue(), shape)) {
                net.setMask(e.getKey(), m);
            }
        }
        net.applyMasks();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Outcome(o.scores(), o.masks(), ms);
    }

    /** Scores and chooses masks like {@link #prune} but leaves the network unmasked. */
    public Outcome score(Network net, PruningData data, double density, long seed) {
        if (!(density > 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in (0, 1], got " + density);
        }
        if (scorer.needsData() && data == null) {
            throw new IllegalArgumentException("scorer " + scorer.name() + " needs pruning data");
        }
        long t0 = System.nanoTime();
        Masker masker = new Masker(scope);
        List<String> weights = prunableWeights(net);
        Scores scores = scorer.score(new ScoringContext(net, data, weights, masker, density, seed, settings));
        Map<String, float[]> masks = scores.masks().orElseGet(() -> masker.select(scores.values(), density));
        return new Outcome(new LinkedHashMap<>(scores.values()), masks, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The name of the network's last Linear layer. */
    static String classifier(Network net) {
        String last = null;
        for (ParameterInfo p : net.infos().values()) {
            if (p.role() == ParameterInfo.Role.LINEAR_WEIGHT) {
                last = p.layer();
            }
        }
        return last;
    }
}
