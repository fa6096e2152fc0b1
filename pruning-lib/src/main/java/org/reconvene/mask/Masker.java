package org.reconvene.mask;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns scores into 0/1 masks that keep the highest-scoring weights at a target density.
 *
 * <p>Global scope keeps {@code round(d * n)} weights over all scored weights together; layer-wise
 * scope keeps {@code round(d * n_l)} in each layer. Ties break by layer order, then flat index.
 * A score of {@code -Infinity} means "never keep" (SynFlow's already pruned weights). Scores and
 * masks are plain float arrays keyed by weight name, in layer order; a masker holds no state.
 */
public final class Masker {

    private final MaskScope scope;

    /** A masker of the given scope. */
    public Masker(MaskScope scope) {
        this.scope = scope;
    }

    /** The masks keeping the best {@code density} of {@code scores}. */
    public Map<String, float[]> select(Map<String, float[]> scores, double density) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in [0, 1], got " + density);
        }
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : scores.entrySet()) {
            masks.put(e.getKey(), new float[e.getValue().length]);
        }
        if (scope == MaskScope.GLOBAL) {
            List<float[]> arrays = new ArrayList<>(scores.values());
            long n = arrays.stream().mapToLong(a -> a.length).sum();
            select(arrays, new ArrayList<>(masks.values()), Math.round(density * n), scores);
        } else {
            for (Map.Entry<String, float[]> e : scores.entrySet()) {
                long k = Math.round(density * e.getValue().length);
                select(List.of(e.getValue()), List.of(masks.get(e.getKey())), k, Map.of(e.getKey(), e.getValue()));
            }
        }
        return masks;
    }

    private static void select(List<float[]> arrays, List<float[]> masks, long k, Map<String, float[]> named) {
        TopKSelector.Threshold t;
        try {
            t = TopKSelector.threshold(arrays, k);
        } catch (IllegalStateException e) {
            for (Map.Entry<String, float[]> en : named.entrySet()) {
                for (float f : en.getValue()) {
                    if (Float.isNaN(f)) {
                        throw new IllegalStateException("scores of '" + en.getKey() + "' contain NaN");
                    }
                }
            }
            throw e;
        }
        TopKSelector.apply(arrays, t, masks);
    }

    /** Fraction of ones over all masks. */
    public static double density(Map<String, float[]> masks) {
        long ones = 0;
        long n = 0;
        for (float[] m : masks.values()) {
            for (float v : m) {
                if (v != 0f) {
                    ones++;
                }
            }
            n += m.length;
        }
        return n == 0 ? 1.0 : (double) ones / n;
    }
}
