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
 * A score of {@code -Infinity}, or an eligibility of 0, means "never keep" (SynFlow's already
 * pruned weights). Scores and masks are plain float arrays keyed by weight name, in layer order;
 * a masker holds no state.
 */
public final class Masker {

    private final MaskScope scope;

    /** A masker of the given scope. */
    public Masker(MaskScope scope) {
        this.scope = scope;
    }

    /** Whether this masker ranks all weights together or each layer alone. */
    public MaskScope scope() {
        return scope;
    }

    /** The masks keeping the best {@code density} of {@code scores}. */
    public Map<String, float[]> select(Map<String, float[]> scores, double density) {
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : scores.entrySet()) {
            masks.put(e.getKey(), new float[e.getValue().length]);
        }
        selectInto(scores, null, density, masks);
        return masks;
    }

    /**
     * Writes into {@code out} the masks keeping the best {@code density} of all entries, where only
     * entries whose {@code eligible} value is nonzero may be kept ({@code eligible} may be null, or
     * be {@code out} itself: iterative scorers update their masks in place). The density is of all
     * entries, eligible or not.
     */
    public void selectInto(
            Map<String, float[]> scores, Map<String, float[]> eligible, double density, Map<String, float[]> out) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in [0, 1], got " + density);
        }
        List<String> names = new ArrayList<>(scores.keySet());
        if (scope == MaskScope.GLOBAL) {
            long n = scores.values().stream().mapToLong(a -> a.length).sum();
            select(names, scores, eligible, out, Math.round(density * n));
        } else {
            for (String name : names) {
                select(List.of(name), scores, eligible, out, Math.round(density * scores.get(name).length));
            }
        }
    }

    private static void select(
            List<String> names, Map<String, float[]> scores, Map<String, float[]> eligible, Map<String, float[]> out,
            long k) {
        List<float[]> s = new ArrayList<>();
        List<float[]> e = eligible == null ? null : new ArrayList<>();
        List<float[]> m = new ArrayList<>();
        for (String name : names) {
            s.add(scores.get(name));
            if (e != null) {
                e.add(eligible.get(name));
            }
            m.add(out.get(name));
        }
        TopKSelector.Threshold t = TopKSelector.threshold(names, s, e, k);
        TopKSelector.apply(s, e, t, m);
    }
}
