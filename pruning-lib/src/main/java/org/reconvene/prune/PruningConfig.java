package org.reconvene.prune;

import org.reconvene.mask.MaskScope;
import org.reconvene.score.ScorerSettings;
import org.reconvene.score.Scorers;
import org.reconvene.structured.ReconveneSettings;

/**
 * Everything that decides how a network is pruned: method, scorer, sparsity, masking options,
 * pruning-data size and scorer knobs.
 *
 * <p>Immutable and validated on construction, so a bad sweep value fails before any work starts,
 * with the field named. Built with {@link #builder()}.
 */
public record PruningConfig(
        PruningMethod method,
        String scorer,
        double sparsity,
        MaskScope scope,
        boolean denseClassifier,
        int samplesPerClass,
        ScorerSettings scorerSettings,
        ReconveneSettings structured) implements java.io.Serializable {

    /** Validates the fields. */
    public PruningConfig {
        if (method == null) {
            throw new IllegalArgumentException("method is required");
        }
        if (method.usesScorer()) {
            Scorers.get(scorer);
        }
        if (method != PruningMethod.DENSE && !(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        }
        if (structured == null || scorerSettings == null) {
            throw new IllegalArgumentException("scorer and structured settings are required");
        }
        if (samplesPerClass < 1) {
            throw new IllegalArgumentException("samplesPerClass must be at least 1, got " + samplesPerClass);
        }
    }

    /** Whether pruning needs labelled data: the method scores weights with a data-driven scorer (snip, grasp). */
    public boolean needsData() {
        return method.usesScorer() && org.reconvene.score.Scorers.get(scorer).needsData();
    }

    /** The share of prunable weights kept, {@code 1 - sparsity}. */
    public double density() {
        return method == PruningMethod.DENSE ? 1.0 : 1.0 - sparsity;
    }

    /** A builder with docs/METHOD.md's defaults: scorer synflow, sparsity 0.9, global scope, prunable classifier, 10 samples per class. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link PruningConfig}; {@code setMethod} is required. */
    public static final class Builder {
        private PruningMethod method;
        private String scorer = "synflow";
        private double sparsity = 0.9;
        private MaskScope scope = MaskScope.GLOBAL;
        private boolean denseClassifier;
        private int samplesPerClass = 10;
        private ScorerSettings scorerSettings = ScorerSettings.defaults();
        private ReconveneSettings structured = ReconveneSettings.defaults();

        private Builder() {}

        /** PSE, RLR and layer-wise baseline knobs. */
        public Builder optStructured(ReconveneSettings v) {
            structured = v;
            return this;
        }

        /** The method (required). */
        public Builder setMethod(PruningMethod v) {
            method = v;
            return this;
        }

        /** The unstructured scorer (default synflow). */
        public Builder optScorer(String v) {
            scorer = v;
            return this;
        }

        /** Fraction of prunable weights to remove. */
        public Builder optSparsity(double v) {
            sparsity = v;
            return this;
        }

        /** Global or layer-wise ranking. */
        public Builder optScope(MaskScope v) {
            scope = v;
            return this;
        }

        /** Keep the classifier dense and out of the ranking. */
        public Builder optDenseClassifier(boolean v) {
            denseClassifier = v;
            return this;
        }

        /** Pruning samples per class. */
        public Builder optSamplesPerClass(int v) {
            samplesPerClass = v;
            return this;
        }

        /** Scorer knobs. */
        public Builder optScorerSettings(ScorerSettings v) {
            scorerSettings = v;
            return this;
        }

        /** The validated config. */
        public PruningConfig build() {
            return new PruningConfig(method, scorer, sparsity, scope, denseClassifier, samplesPerClass, scorerSettings,
                    structured);
        }
    }
}
