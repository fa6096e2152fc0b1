package org.reconvene.score;

/**
 * An unstructured pruning-at-initialization criterion: one score per prunable weight, higher
 * meaning more worth keeping (docs/METHOD.md section 3).
 *
 * <p>A scorer reads the network in the context and must leave it as it found it (same tensor
 * values, no masks added, no gradients required). Masking is separate and shared
 * ({@link org.reconvene.mask.Masker}); only iterative scorers such as SynFlow mask along the way
 * and then also return their final masks.
 */
public interface Scorer {

    /** The name used in configs: {@code random}, {@code magnitude}, {@code snip}, {@code grasp}, {@code synflow}. */
    String name();

    /**
     * Whether the scorer looks at labelled data; data-free unless it says so (a scorer that
     * needs data and does not say so fails on {@link ScoringContext#requireData}, naming itself).
     */
    default boolean needsData() {
        return false;
    }

    /** Scores every weight named in {@code ctx.weights()}. */
    Scores score(ScoringContext ctx);
}
