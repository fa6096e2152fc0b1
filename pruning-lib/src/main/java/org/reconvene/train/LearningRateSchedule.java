package org.reconvene.train;

import java.util.Locale;

/**
 * How the learning rate changes over epochs.
 *
 * <p>{@code step} multiplies the rate by {@code gamma} at 50 % and 75 % of the epochs (the
 * schedule of the CIFAR pruning-at-initialization literature); {@code cosine} anneals it to zero
 * over the run; {@code constant} keeps it.
 */
public enum LearningRateSchedule {
    CONSTANT,
    STEP,
    COSINE;

    /** The rate during epoch {@code epoch} (0-based) of {@code epochs}. */
    public double rate(double base, int epoch, int epochs, double gamma) {
        switch (this) {
            case STEP:
                double lr = base;
                if (epoch >= (int) Math.floor(epochs * 0.5) && epochs > 1) {
                    lr *= gamma;
                }
                if (epoch >= (int) Math.floor(epochs * 0.75) && epochs > 3) {
                    lr *= gamma;
                }
                return lr;
            case COSINE:
                return 0.5 * base * (1 + Math.cos(Math.PI * epoch / epochs));
            default:
                return base;
        }
    }

    /** Parses {@code constant}, {@code step} or {@code cosine}, case-insensitively. */
    public static LearningRateSchedule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown learning-rate schedule '" + s + "'; use constant, step or cosine");
        }
    }
}
