package org.reconvene.provenance;

import java.nio.charset.StandardCharsets;

/**
 * The single place where a trial's seed is split into independent streams.
 *
 * <p>Every random decision of a trial (initial weights, the pruning batch, the random scorer,
 * data order, augmentation) draws from its own stream derived here from the trial seed and a
 * purpose name, so changing how one stream is used never shifts another, and the same trial
 * seed reproduces the same trial anywhere.
 */
public final class Seeds {

    /** Stream for initial weights. */
    public static final String INIT = "init";
    /** Stream for the data order and augmentation of training. */
    public static final String TRAIN_DATA = "train-data";
    /** Stream for choosing the pruning batch. */
    public static final String PRUNING_DATA = "pruning-data";
    /** Stream for the random scorer and random structured baselines. */
    public static final String PRUNING = "pruning";
    /** Stream for reinitializing rebuilt layers. */
    public static final String REINIT = "reinit";
    /** Stream for choosing the int8 calibration images. */
    public static final String CALIBRATION = "calibration";

    private Seeds() {}

    /** Derives the seed of the stream named {@code purpose} from {@code seed}. */
    public static long derive(long seed, String purpose) {
        long h = GOLDEN;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = mix64(h ^ b);
        }
        return mix64(seed ^ h);
    }

    /** SplitMix64's increment, 2^64 divided by the golden ratio: spaces streams of consecutive indices apart. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /**
     * SplitMix64's finalizer: a bijection that spreads nearby seeds far apart. The one
     * implementation; the data package mixes its per-epoch and per-image streams with it too.
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Shuffles {@code values} in place (Fisher-Yates from the end, one {@code nextInt} per position). */
    public static void shuffle(int[] values, java.util.SplittableRandom rng) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
