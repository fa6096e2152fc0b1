package org.reconvene.score;

import java.util.List;
import org.reconvene.mask.Masker;
import org.reconvene.model.Network;

/**
 * What a scorer may use: the network, the pruning data (null for data-free scoring), the weights
 * to score in layer order, the masker and target density (for iterative scorers), the trial seed
 * and the scorer settings.
 */
public record ScoringContext(
        Network network,
        PruningData data,
        List<String> weights,
        Masker masker,
        double density,
        long seed,
        ScorerSettings settings) {

    /** The pruning data; fails with a clear message for data-free contexts. */
    public PruningData requireData(String scorer) {
        if (data == null) {
            throw new IllegalArgumentException("scorer " + scorer + " needs pruning data");
        }
        return data;
    }
}
