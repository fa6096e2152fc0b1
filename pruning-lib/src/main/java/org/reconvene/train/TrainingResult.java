package org.reconvene.train;

import java.util.List;

/**
 * The outcome of a training run: final and best test accuracy, final training loss, per-epoch
 * history and timings.
 *
 * <p>{@code top1} and {@code top5} are after the last epoch, {@code top1Best} is the best over
 * epochs (docs/METHOD.md section 7). With zero epochs they describe the untrained network.
 */
public record TrainingResult(
        double top1,
        double top1Best,
        double top5,
        double loss,
        List<EpochStats> history,
        long trainMs,
        long evalMs) {}
