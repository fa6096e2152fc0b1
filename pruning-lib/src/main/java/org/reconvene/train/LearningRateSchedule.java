package org.reconvene.train;

import java.util.Locale;

/**
 * How the learning rate changes over a run.
 *
 * <p>{@code step} multiplies the rate by {@code gamma} at 50 % and 75 % of the run (the
 * schedule of the CIFAR pruning-at-initialization literature); {@code cosine} anneals it to zero
 * over the run; {@code constant} keeps it.
 *
 * <p>{@link Granularity} says how often the rate moves. {@code batch}, the default, sets it
 * before every batch from the position in the run, as PyTorch users step their schedulers per
 * iteration for short runs: a one-epoch run anneals fully, and a two-epoch cosine run is a smooth
 * curve rather than two flat steps. {@code epoch} sets it once per epoch (the rate of the earlier
 * versions, kept so that their results can be reproduced).
 */
public enum LearningRateSchedule {
    CONSTANT,
    STEP,
    COSINE;

    /** How often the rate is set: before every batch, or once per epoch. */
    public enum Granularity {
        BATCH,
        EPOCH;

        /** Parses {@code batch} or {@code epoch}, case-insensitively. */
        public static Granularity parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown schedule granularity '" + s + "'; use batch or epoch");
            }
        }
    }

    /**
     * The rate at {@code position} epochs into a run of {@code epochs} (a fraction for a batch
     * inside an epoch): cosine follows the position continuously, step drops at 50 % and 75 %.
     */
    public double rateAt(double base, double position, int epochs, double gamma) {
        switch (this) {
            case STEP:
                double lr = base;
                if (position >= 0.5 * epochs) {
                    lr *= gamma;
                }
                if (position >= 0.75 * epochs) {
                    lr *= gamma;
                }
                return lr;
            case COSINE:
                return 0.5 * base * (1 + Math.cos(Math.PI * position / epochs));
            default:
                return base;
        }
    }

    /** The rate during epoch {@code epoch} (0-based) of {@code epochs}, with {@link Granularity#EPOCH}. */
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
