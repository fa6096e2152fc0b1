package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.reconvene.data.DataTestFiles.assertBadInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Epoch order, reproducibility, batch shapes and augmentation of the sampler. */
class BatchSamplerTest {

    private static final int N = 103;
    private static ImageSplit split;
    private static Normalization norm;

    @BeforeAll
    static void randomSplit() {
        // Random bytes make every crop offset and flip produce a distinguishable image.
        SplittableRandom rng = new SplittableRandom(1);
        byte[] px = new byte[N * 3 * 8 * 8];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = i % 4;
        }
        split = new ImageSplit(3, 8, 8, 4, px, labels);
        norm = Normalization.fromSplit(split);
    }

    private static BatchSampler.Builder base() {
        return BatchSampler.builder().setSplit(split).setBatchSize(10).setNormalization(norm);
    }

    private static List<Batch> collect(Iterable<Batch> epoch) {
        List<Batch> out = new ArrayList<>();
        epoch.forEach(out::add);
        return out;
    }

    private static int[] order(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    }

    @Test
    void sameSeedGivesIdenticalBatches() {
        BatchSampler a = base().optShuffle(true).optAugment(true).optSeed(42L).build();
        BatchSampler b = base().optShuffle(true).optAugment(true).optSeed(42L).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Batch> ba = collect(a.epoch(epoch));
            List<Batch> bb = collect(b.epoch(epoch));
            List<Batch> again = collect(a.epoch(epoch));
            assertEquals(ba.size(), bb.size());
            for (int i = 0; i < ba.size(); i++) {
                assertArrayEquals(ba.get(i).x(), bb.get(i).x());
                assertArrayEquals(ba.get(i).y(), bb.get(i).y());
                assertArrayEquals(ba.get(i).x(), again.get(i).x(), "re-iterating an epoch repeats it");
            }
        }
    }

    @Test
    void epochsAndSeedsChangeTheOrder() {
        BatchSampler s = base().optShuffle(true).optSeed(42L).build();
        int[] e0 = order(collect(s.epoch(0)));
        int[] e1 = order(collect(s.epoch(1)));
        int[] other = order(collect(base().optShuffle(true).optSeed(43L).build().epoch(0)));
        assertFalse(Arrays.equals(e0, e1));
        assertFalse(Arrays.equals(e0, other));
        int[] sequential = order(collect(base().build().epoch(5)));
        for (int i = 0; i < N; i++) {
            assertEquals(i, sequential[i], "no shuffle keeps split order");
        }
    }

    @Test
    void everySampleOncePerEpochWithSmallLastBatch() {
        BatchSampler s = base().optShuffle(true).optAugment(true).optSeed(3L).build();
        assertEquals(11, s.numBatches());
        assertEquals(N, s.numSamples());
        List<Batch> batches = collect(s.epoch(2));
        assertEquals(11, batches.size());
        assertEquals(3, batches.get(10).size());
        assertEquals(3 * 3 * 8 * 8, batches.get(10).x().length);
        int[] seen = order(batches);
        int[] sorted = seen.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < N; i++) {
            assertEquals(i, sorted[i]);
        }
        for (Batch b : batches) {
            for (int k = 0; k < b.size(); k++) {
                assertEquals(split.label(b.indices()[k]), b.y()[k]);
            }
            assertArrayEquals(new long[] {b.size(), 3, 8, 8}, b.shape());
        }
    }

    @Test
    void dropLastAndMaxBatchesCap() {
        BatchSampler drop = base().optDropLast(true).build();
        assertEquals(10, drop.numBatches());
        List<Batch> batches = collect(drop.epoch(0));
        assertEquals(10, batches.size());
        assertTrue(batches.stream().allMatch(b -> b.size() == 10));

        BatchSampler capped = base().optShuffle(true).optMaxBatches(3).build();
        assertEquals(3, capped.numBatches());
        assertEquals(30, capped.numSamples());
        assertEquals(3, collect(capped.epoch(0)).size());
        assertEquals(11, base().optMaxBatches(50).build().numBatches());
    }

    @Test
    void withoutAugmentationXIsTheNormalisedImage() {
        BatchSampler s = base().optShuffle(true).optSeed(7L).build();
        for (Batch b : s.epoch(1)) {
            int per = 3 * 8 * 8;
            for (int k = 0; k < b.size(); k++) {
                float[] expected = norm.apply(split, b.indices()[k]);
                assertArrayEquals(expected, Arrays.copyOfRange(b.x(), k * per, (k + 1) * per));
            }
        }
    }

    @Test
    void augmentationIsAPaddedCropWithOptionalFlip() {
        BatchSampler s = base().optShuffle(true).optAugment(true).optSeed(11L).build();
        int per = 3 * 8 * 8;
        int flips = 0;
        int shifted = 0;
        int total = 0;
        for (int epoch = 0; epoch < 3; epoch++) {
            for (Batch b : s.epoch(epoch)) {
                for (int k = 0; k < b.size(); k++) {
                    float[] img = Arrays.copyOfRange(b.x(), k * per, (k + 1) * per);
                    float[] source = norm.apply(split, b.indices()[k]);
                    int[] match = findTransform(source, img, 4);
                    assertTrue(match != null, "sample " + b.indices()[k] + " is no padded crop/flip of its source");
                    flips += match[2];
                    shifted += (match[0] != 0 || match[1] != 0) ? 1 : 0;
                    total++;
                }
            }
        }
        assertTrue(flips > total / 4 && flips < 3 * total / 4, "about half flipped: " + flips + "/" + total);
        assertTrue(shifted > total / 2, "most crops are shifted: " + shifted + "/" + total);
    }

    @Test
    void paddingZeroLeavesOnlyFlips() {
        BatchSampler s = base().optAugment(true).optPadding(0).build();
        Batch b = s.epoch(0).iterator().next();
        float[] img = Arrays.copyOfRange(b.x(), 0, 3 * 8 * 8);
        int[] m = findTransform(norm.apply(split, b.indices()[0]), img, 0);
        assertTrue(m != null && m[0] == 0 && m[1] == 0);
    }

    @Test
    void builderNamesMissingOrBadOptions() {
        assertBadInput(() -> BatchSampler.builder().setBatchSize(4).setNormalization(norm).build(), "setSplit");
        assertBadInput(() -> BatchSampler.builder().setSplit(split).setBatchSize(4).build(), "setNormalization");
        assertBadInput(() -> base().setBatchSize(0).build(), "setBatchSize", "0");
        assertBadInput(() -> base().optMaxBatches(0).build(), "optMaxBatches");
        assertBadInput(() -> base().optPadding(-1).build(), "optPadding");
        assertBadInput(() -> base().build().epoch(-1), "epochIndex");
        Normalization grey = Normalization.of(new float[] {0.5f}, new float[] {0.5f});
        assertBadInput(() -> base().setNormalization(grey).build(), "1 channels", "3");
    }

    /**
     * Naive reference: tries every offset and flip of the zero-padded normalised image and returns
     * {oy, ox, flip} of the first that reproduces {@code out}, or null.
     */
    private static int[] findTransform(float[] src, float[] out, int pad) {
        int c = 3;
        int h = 8;
        int w = 8;
        for (int flip = 0; flip < 2; flip++) {
            for (int oy = -pad; oy <= pad; oy++) {
                for (int ox = -pad; ox <= pad; ox++) {
                    boolean same = true;
                    for (int ch = 0; ch < c && same; ch++) {
                        for (int y = 0; y < h && same; y++) {
                            for (int x = 0; x < w && same; x++) {
                                int xs = (flip == 1 ? w - 1 - x : x) + ox;
                                int ys = y + oy;
                                float v = (ys < 0 || ys >= h || xs < 0 || xs >= w) ? 0f
                                        : src[ch * h * w + ys * w + xs];
                                same = v == out[ch * h * w + y * w + x];
                            }
                        }
                    }
                    if (same) {
                        return new int[] {oy, ox, flip};
                    }
                }
            }
        }
        return null;
    }
}
