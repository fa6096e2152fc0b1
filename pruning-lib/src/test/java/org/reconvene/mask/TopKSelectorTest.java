package org.reconvene.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The linear-time selection against a sort-based reference, ties and edge cases included. */
class TopKSelectorTest {

    /** Reference: sort (score desc, array asc, index asc) and keep the first k selectable. */
    private static List<float[]> reference(List<float[]> arrays, long k) {
        List<long[]> order = new ArrayList<>();
        for (int a = 0; a < arrays.size(); a++) {
            for (int i = 0; i < arrays.get(a).length; i++) {
                order.add(new long[] {a, i});
            }
        }
        // -0.0 and 0.0 are the same score: compare them as 0.0.
        order.sort(Comparator.<long[]>comparingDouble(p -> {
                    float v = arrays.get((int) p[0])[(int) p[1]];
                    return v == 0f ? 0.0 : -(double) v;
                })
                .thenComparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
        List<float[]> masks = new ArrayList<>();
        for (float[] a : arrays) {
            masks.add(new float[a.length]);
        }
        long kept = 0;
        for (long[] p : order) {
            float v = arrays.get((int) p[0])[(int) p[1]];
            if (kept < k && v != Float.NEGATIVE_INFINITY) {
                masks.get((int) p[0])[(int) p[1]] = 1f;
                kept++;
            }
        }
        return masks;
    }

    @Test
    void matchesSortingOnRandomScoresWithTiesAndNegatives() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int trial = 0; trial < 40; trial++) {
            List<float[]> arrays = new ArrayList<>();
            int parts = 1 + rng.nextInt(4);
            for (int p = 0; p < parts; p++) {
                float[] a = new float[1 + rng.nextInt(300)];
                for (int i = 0; i < a.length; i++) {
                    int kind = rng.nextInt(10);
                    a[i] = kind == 0 ? 0f : kind == 1 ? -0f : kind == 2 ? Float.NEGATIVE_INFINITY
                            : kind < 6 ? rng.nextInt(5) - 2 : (float) rng.nextGaussian();
                }
                arrays.add(a);
            }
            long n = arrays.stream().mapToLong(a -> a.length).sum();
            long k = rng.nextLong(n + 2);
            List<float[]> got = new ArrayList<>();
            for (float[] a : arrays) {
                got.add(new float[a.length]);
            }
            TopKSelector.apply(arrays, TopKSelector.threshold(arrays, k), got);
            List<float[]> want = reference(arrays, k);
            for (int p = 0; p < arrays.size(); p++) {
                assertArrayEquals(want.get(p), got.get(p), "trial " + trial + " part " + p + " k " + k);
            }
        }
    }

    @Test
    void maskerKeepsExactlyRoundOfDensityTimesN() {
        SplittableRandom rng = new SplittableRandom(2);
        Map<String, float[]> scores = new LinkedHashMap<>();
        scores.put("a.weight", gaussian(rng, 1000));
        scores.put("b.weight", gaussian(rng, 333));
        scores.put("c.weight", gaussian(rng, 77));
        for (double d : new double[] {0.5, 0.1, 0.0316227766, 0.01, 0.001, 0.9995}) {
            Map<String, float[]> global = new Masker(MaskScope.GLOBAL).select(scores, d);
            assertEquals(Math.round(d * 1410), ones(global.values()), "global d=" + d);
            Map<String, float[]> layer = new Masker(MaskScope.LAYERWISE).select(scores, d);
            for (String w : scores.keySet()) {
                assertEquals(Math.round(d * scores.get(w).length), ones(List.of(layer.get(w))), w + " d=" + d);
            }
        }
    }

    @Test
    void allEqualScoresKeepTheEarliestWeights() {
        Map<String, float[]> scores = new LinkedHashMap<>();
        scores.put("first", new float[] {1, 1, 1});
        scores.put("second", new float[] {1, 1, 1});
        Map<String, float[]> m = new Masker(MaskScope.GLOBAL).select(scores, 4 / 6.0);
        assertArrayEquals(new float[] {1, 1, 1}, m.get("first"));
        assertArrayEquals(new float[] {1, 0, 0}, m.get("second"));
    }

    @Test
    void nanScoresAreAnErrorNamingTheWeight() {
        Map<String, float[]> scores = new LinkedHashMap<>();
        scores.put("ok", new float[] {1, 2});
        scores.put("bad.weight", new float[] {Float.NaN, 2});
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new Masker(MaskScope.GLOBAL).select(scores, 0.5));
        assertTrue(e.getMessage().contains("bad.weight"), e.getMessage());
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private static long ones(java.util.Collection<float[]> masks) {
        return masks.stream().mapToLong(m -> {
            long c = 0;
            for (float v : m) {
                c += v == 1f ? 1 : 0;
            }
            return c;
        }).sum();
    }

    @Test
    void keyOrdersLikeFloats() {
        float[] v = {Float.NEGATIVE_INFINITY, -3e38f, -1f, -1e-40f, 0f, 1e-40f, 1f, 3e38f, Float.POSITIVE_INFINITY};
        for (int i = 1; i < v.length; i++) {
            assertTrue(Integer.compareUnsigned(TopKSelector.key(v[i - 1]), TopKSelector.key(v[i])) < 0, "" + v[i]);
        }
        assertEquals(TopKSelector.key(0f), TopKSelector.key(-0f));
        assertTrue(Arrays.equals(new float[0], new float[0]));
    }
}
