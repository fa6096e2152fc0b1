package org.reconvene.score;

/**
 * Knobs of the scorers, with docs/METHOD.md's values as defaults.
 *
 * @param synflowRounds SynFlow's pruning rounds (100); round k masks at density d^(k/rounds)
 * @param graspTemperature GraSP's softmax temperature T (200)
 * @param graspHessianMaxSamples most samples in GraSP's one Hessian-gradient product (256): it
 *     holds the whole batch's double-backward graph in memory, so larger pruning sets take H on
 *     a class-balanced subset of this size
 * @param chunkSize most samples per forward pass of data-dependent scorers (256)
 */
public record ScorerSettings(
        int synflowRounds, double graspTemperature, int graspHessianMaxSamples, int chunkSize) implements java.io.Serializable {

    /** The defaults of docs/METHOD.md section 3 (the builder's fields). */
    public static ScorerSettings defaults() {
        return builder().build();
    }

    /** A builder holding the defaults; every value is optional. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ScorerSettings}; each field's initial value is its one default. */
    public static final class Builder {
        private int synflowRounds = 100;
        private double graspTemperature = 200.0;
        private int graspHessianMaxSamples = 256;
        private int chunkSize = 256;

        private Builder() {}

        /** SynFlow's pruning rounds. */
        public Builder optSynflowRounds(int v) {
            this.synflowRounds = v;
            return this;
        }

        /** GraSP's softmax temperature. */
        public Builder optGraspTemperature(double v) {
            this.graspTemperature = v;
            return this;
        }

        /** Most samples in GraSP's one Hessian-gradient product. */
        public Builder optGraspHessianMaxSamples(int v) {
            this.graspHessianMaxSamples = v;
            return this;
        }

        /** Most samples per forward pass of data-dependent scorers. */
        public Builder optChunkSize(int v) {
            this.chunkSize = v;
            return this;
        }

        /** The settings, validated. */
        public ScorerSettings build() {
            return new ScorerSettings(synflowRounds, graspTemperature, graspHessianMaxSamples, chunkSize);
        }
    }

    /** Validates the knobs; a bad value names its field. */
    public ScorerSettings {
        if (synflowRounds < 1) {
            throw new IllegalArgumentException("synflowRounds must be at least 1, got " + synflowRounds);
        }
        if (!(graspTemperature > 0)) {
            throw new IllegalArgumentException("graspTemperature must be positive, got " + graspTemperature);
        }
        if (graspHessianMaxSamples < 1) {
            throw new IllegalArgumentException("graspHessianMaxSamples must be at least 1, got " + graspHessianMaxSamples);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
        }
    }

    /** A copy with another number of SynFlow rounds. */
    public ScorerSettings withSynflowRounds(int rounds) {
        return new ScorerSettings(rounds, graspTemperature, graspHessianMaxSamples, chunkSize);
    }

    /** A copy with another limit on the samples of GraSP's Hessian-gradient product. */
    public ScorerSettings withGraspHessianMaxSamples(int n) {
        return new ScorerSettings(synflowRounds, graspTemperature, n, chunkSize);
    }
}
