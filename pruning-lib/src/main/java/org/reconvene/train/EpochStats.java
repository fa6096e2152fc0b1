package org.reconvene.train;

/**
 * What one training epoch produced: the rate used, training loss and accuracy over the epoch,
 * test accuracy after it, and its wall time.
 */
public record EpochStats(
        int epoch,
        double learningRate,
        double trainLoss,
        double trainTop1,
        double testLoss,
        double testTop1,
        double testTop5,
        long batches,
        long millis) {}
