package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A running trial's part of the sweep's progress line: epoch, batch within it, and rate. */
class SweepProgressLineTest {

    @Test
    void aOneEpochTrialShowsHowFarItIsWithinTheEpoch() {
        // An hour-long one-epoch trial at 0.13 batches/s: the epoch alone says nothing, the batch does.
        assertEquals("49fa7acd upai epoch 1/1, batch 212/469, 0.13 batches/s",
                SweepProgress.training("49fa7acd", "upai", 1, 212, 469, 0.1312));
    }

    @Test
    void theBatchCountsWithinTheCurrentEpoch() {
        assertEquals("171e7e37 reconvene epoch 3/4, batch 12/20, 6.52 batches/s",
                SweepProgress.training("171e7e37", "reconvene", 4, 52, 80, 6.521));
        // On an epoch boundary the next epoch has begun, at batch 0.
        assertEquals("171e7e37 reconvene epoch 2/4, batch 0/20, 6.52 batches/s",
                SweepProgress.training("171e7e37", "reconvene", 4, 20, 80, 6.521));
    }

    @Test
    void theLastBatchStaysInTheLastEpochAndAnUnknownRateIsLeftOut() {
        assertEquals("171e7e37 dense epoch 4/4, batch 20/20",
                SweepProgress.training("171e7e37", "dense", 4, 80, 80, Double.NaN));
    }
}
