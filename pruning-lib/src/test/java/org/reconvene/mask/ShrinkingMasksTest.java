package org.reconvene.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ShrinkingMasks against Masker.selectInto with the masks as eligibility, round after round. */
class ShrinkingMasksTest {

    private static final int[] SIZES = {1, 7, 300, 4096, 50_000, 2_000};

    @ParameterizedTest
    @EnumSource(MaskScope.class)
    void everyRoundKeepsWhatMaskerKeepsAndTheRulesRepeatIt(MaskScope scope) {
        Random r = new Random(11);
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Map<String, float[]> expected = new LinkedHashMap<>();
        for (int a = 0; a < SIZES.length; a++) {
            sizes.put("w" + a, SIZES[a]);
            float[] ones = new float[SIZES[a]];
            java.util.Arrays.fill(ones, 1f);
            expected.put("w" + a, ones);
        }
        ShrinkingMasks shrinking = new ShrinkingMasks(scope, sizes);
        Masker masker = new Masker(scope);
        int splitRules = 0;
        int rounds = 30;
        for (int k = 1; k <= rounds; k++) {
            // Coarse scores (few distinct values, zeros, negatives, -Infinity) so ties are common.
            int levels = k % 3 == 0 ? 4 : 1000;
            Map<String, float[]> scores = new LinkedHashMap<>();
            for (String w : sizes.keySet()) {
                float[] s = new float[sizes.get(w)];
                for (int i = 0; i < s.length; i++) {
                    int v = r.nextInt(levels) - levels / 8;
                    s[i] = v == -1 ? Float.NEGATIVE_INFINITY : v == 0 && r.nextBoolean() ? -0f : v;
                }
                scores.put(w, s);
            }
            Map<String, float[]> before = new LinkedHashMap<>();
            shrinking.masks().forEach((w, m) -> before.put(w, m.clone()));
            double density = Math.pow(0.01, (double) k / rounds);
            masker.selectInto(scores, expected, density, expected);
            Map<String, Float> rules = shrinking.reselect(scores, density);
            for (String w : sizes.keySet()) {
                assertArrayEquals(expected.get(w), shrinking.masks().get(w), "round " + k + ", " + w);
                float t = rules.get(w);
                if (Float.isNaN(t)) {
                    splitRules++;
                    continue;
                }
                float[] s = scores.get(w);
                float[] now = shrinking.masks().get(w);
                for (int i = 0; i < s.length; i++) {
                    float byRule = before.get(w)[i] != 0f && s[i] >= t ? 1f : 0f;
                    assertEquals(now[i], byRule, "rule " + t + " for " + w + "[" + i + "], round " + k);
                }
            }
        }
        assertTrue(splitRules > 0, "no round split ties within an array; the copy path went untested");
    }

    @ParameterizedTest
    @EnumSource(MaskScope.class)
    void aNaNScoreFailsEvenWhereThatEntryIsPruned(MaskScope scope) {
        ShrinkingMasks shrinking = new ShrinkingMasks(scope, Map.of("a", 4));
        shrinking.reselect(Map.of("a", new float[] {1, 2, 3, 4}), 0.5);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> shrinking.reselect(Map.of("a", new float[] {Float.NaN, 2, 3, 4}), 0.25));
        assertEquals("scores of 'a' contain NaN", e.getMessage());
    }
}
