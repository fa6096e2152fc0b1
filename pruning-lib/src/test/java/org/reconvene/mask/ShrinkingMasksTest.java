package org.reconvene.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ShrinkingMasks against Masker.selectInto with the masks as eligibility, round after round. */
class ShrinkingMasksTest {

    private static final int[] SIZES = {1, 7, 300, 4096, 50_000, 2_000};

    private static Map<String, Integer> sizes() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (int a = 0; a < SIZES.length; a++) {
            sizes.put("w" + a, SIZES[a]);
        }
        return sizes;
    }

    private static Map<String, float[]> ones(Map<String, Integer> sizes) {
        Map<String, float[]> out = new LinkedHashMap<>();
        sizes.forEach((w, n) -> {
            float[] m = new float[n];
            Arrays.fill(m, 1f);
            out.put(w, m);
        });
        return out;
    }

    /** Coarse scores (few distinct values, zeros, -0, negatives, infinities) so ties are common. */
    private static Map<String, float[]> coarseScores(Random r, Map<String, Integer> sizes, int levels) {
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (String w : sizes.keySet()) {
            float[] s = new float[sizes.get(w)];
            for (int i = 0; i < s.length; i++) {
                int v = r.nextInt(levels) - levels / 8;
                s[i] = v == -1 ? Float.NEGATIVE_INFINITY
                        : v == -2 ? Float.POSITIVE_INFINITY
                        : v == 0 && r.nextBoolean() ? -0f : v;
            }
            scores.put(w, s);
        }
        return scores;
    }

    /** The indices kept in {@code before} and pruned in {@code after}, ascending. */
    private static int[] lost(float[] before, float[] after) {
        return IntStream.range(0, before.length).filter(i -> before[i] != 0f && after[i] == 0f).toArray();
    }

    @ParameterizedTest
    @EnumSource(MaskScope.class)
    void everyRoundKeepsWhatMaskerKeepsAndReportsWhatItDropped(MaskScope scope) {
        long dropped = roundsAgainstMasker(scope, false, new Random(11), 30, 0.01);
        assertTrue(dropped > 0, "nothing was ever dropped; the test proves nothing");
    }

    @ParameterizedTest
    @EnumSource(MaskScope.class)
    void byMagnitudeKeepsWhatMaskerKeepsOnTheAbsoluteValues(MaskScope scope) {
        roundsAgainstMasker(scope, true, new Random(12), 20, 0.02);
    }

    /**
     * Runs {@code rounds} of re-selection down to {@code finalDensity}, each on fresh coarse
     * scores, against {@code Masker.selectInto} on the same scores (their absolute values with
     * {@code magnitude}); checks masks and dropped indices every round, returns how many were dropped.
     */
    private static long roundsAgainstMasker(MaskScope scope, boolean magnitude, Random r, int rounds,
            double finalDensity) {
        Map<String, Integer> sizes = sizes();
        Map<String, float[]> expected = ones(sizes);
        ShrinkingMasks shrinking = new ShrinkingMasks(scope, sizes);
        Masker masker = new Masker(scope);
        long droppedTotal = 0;
        for (int k = 1; k <= rounds; k++) {
            Map<String, float[]> scores = coarseScores(r, sizes, k % 3 == 0 ? 4 : 1000);
            Map<String, float[]> ranked = new LinkedHashMap<>();
            scores.forEach((w, s) -> {
                float[] v = s.clone();
                if (magnitude) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Math.abs(v[i]);
                    }
                }
                ranked.put(w, v);
            });
            Map<String, float[]> before = new LinkedHashMap<>();
            shrinking.masks().forEach((w, m) -> before.put(w, m.clone()));
            double density = Math.pow(finalDensity, (double) k / rounds);
            masker.selectInto(ranked, expected, density, expected);
            // Infinite scores are legal, so knownFinite=false: the NaN scan runs and finds none.
            Map<String, int[]> dropped = magnitude
                    ? shrinking.reselectByMagnitude(scores, density, false)
                    : shrinking.reselect(scores, density);
            for (String w : sizes.keySet()) {
                float[] now = shrinking.masks().get(w);
                assertArrayEquals(expected.get(w), now, "round " + k + ", " + w);
                assertArrayEquals(lost(before.get(w), now), dropped.get(w), "dropped, round " + k + ", " + w);
                droppedTotal += dropped.get(w).length;
            }
        }
        return droppedTotal;
    }

    @ParameterizedTest
    @EnumSource(MaskScope.class)
    void aNaNScoreFailsEvenWhereThatEntryIsPruned(MaskScope scope) {
        ShrinkingMasks shrinking = new ShrinkingMasks(scope, Map.of("a", 4));
        shrinking.reselect(Map.of("a", new float[] {1, 2, 3, 4}), 0.5);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> shrinking.reselect(Map.of("a", new float[] {Float.NaN, 2, 3, 4}), 0.25));
        assertEquals("scores of 'a' contain NaN", e.getMessage());
        IllegalStateException m = assertThrows(IllegalStateException.class,
                () -> shrinking.reselectByMagnitude(Map.of("a", new float[] {1, -2, Float.NaN, 4}), 0.25, false));
        assertEquals("scores of 'a' contain NaN", m.getMessage());
    }
}
