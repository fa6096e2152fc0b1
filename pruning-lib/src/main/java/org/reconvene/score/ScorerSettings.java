package org.reconvene.score;

/**
 * Knobs of the scorers, with METHOD.md's values as defaults.
 *
 * @param synflowRounds SynFlow's pruning rounds (100); round k masks at density d^(k/rounds)
 * @param graspTemperature GraSP's softmax temperature T (200)
 * @param graspExactMaxSamples largest pruning set whose Hessian-gradient product is taken exactly
 *     in one double backward (256); larger sets use the central finite difference over chunks,
 *     because one exact product holds the whole set's double-backward graph in memory and each
 *     product leaks native memory
 * @param graspFdStep relative step of the finite difference: e = step * |w| / |g| (5e-3, about
 *     the cube root of float32's epsilon, which balances truncation against rounding)
 * @param chunkSize most samples per forward pass of data-dependent scorers (256)
 */
public record ScorerSettings(
        int synflowRounds, double graspTemperature, int graspExactMaxSamples, double graspFdStep, int chunkSize) {

    /** The defaults of METHOD.md section 3. */
    public static ScorerSettings defaults() {
        return new ScorerSettings(100, 200.0, 256, 5e-3, 256);
    }

    /** Validates the knobs; a bad value names its field. */
    public ScorerSettings {
        if (synflowRounds < 1) {
            throw new IllegalArgumentException("synflowRounds must be at least 1, got " + synflowRounds);
        }
        if (!(graspTemperature > 0)) {
            throw new IllegalArgumentException("graspTemperature must be positive, got " + graspTemperature);
        }
        if (graspExactMaxSamples < 0) {
            throw new IllegalArgumentException("graspExactMaxSamples must be >= 0, got " + graspExactMaxSamples);
        }
        if (!(graspFdStep > 0)) {
            throw new IllegalArgumentException("graspFdStep must be positive, got " + graspFdStep);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
        }
    }

    /** A copy with another number of SynFlow rounds. */
    public ScorerSettings withSynflowRounds(int rounds) {
        return new ScorerSettings(rounds, graspTemperature, graspExactMaxSamples, graspFdStep, chunkSize);
    }

    /** A copy with another exact-product limit (0 forces the finite difference). */
    public ScorerSettings withGraspExactMaxSamples(int n) {
        return new ScorerSettings(synflowRounds, graspTemperature, n, graspFdStep, chunkSize);
    }
}
