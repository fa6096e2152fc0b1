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

    private Seeds() {}

    /** Derives the seed of the stream named {@code purpose} from {@code seed}. */
    public static long derive(long seed, String purpose) {
        long h = 0x9E3779B97F4A7C15L;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ b);
        }
        return mix(seed ^ h);
    }

    /** SplitMix64's finalizer: a bijection that spreads nearby seeds far apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
