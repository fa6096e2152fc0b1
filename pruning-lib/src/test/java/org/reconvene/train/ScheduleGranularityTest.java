package org.reconvene.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.reconvene.data.ImageDataset;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.train.LearningRateSchedule.Granularity;

/** Per-batch and per-epoch learning-rate schedules: the arithmetic, and what the trainer does with it. */
class ScheduleGranularityTest {

    @Test
    void perBatchRatesFollowThePositionInTheRun() {
        LearningRateSchedule cos = LearningRateSchedule.COSINE;
        assertEquals(0.1, cos.rateAt(0.1, 0, 1, 0.1), 1e-15);
        assertEquals(0.05, cos.rateAt(0.1, 0.5, 1, 0.1), 1e-15, "a one-epoch run is half-way annealed mid-epoch");
        assertEquals(0.0, cos.rateAt(0.1, 1.0, 1, 0.1), 1e-15);
        // Two epochs: a smooth curve, not two flat steps.
        assertEquals(0.5 * 0.1 * (1 + Math.cos(Math.PI * 1.25 / 2)), cos.rateAt(0.1, 1.25, 2, 0.1), 1e-15);
        LearningRateSchedule step = LearningRateSchedule.STEP;
        assertEquals(0.1, step.rateAt(0.1, 0.49, 1, 0.1), 1e-15);
        assertEquals(0.01, step.rateAt(0.1, 0.5, 1, 0.1), 1e-15, "steps fall inside a one-epoch run");
        assertEquals(0.001, step.rateAt(0.1, 0.75, 1, 0.1), 1e-15);
        // At epoch boundaries the per-epoch cosine is the same curve.
        for (int e = 0; e < 4; e++) {
            assertEquals(cos.rate(0.1, e, 4, 0.1), cos.rateAt(0.1, e, 4, 0.1), 1e-15);
        }
        assertEquals(Granularity.BATCH, TrainingConfig.builder().build().scheduleGranularity(), "the default");
        assertEquals(Granularity.EPOCH, Granularity.parse(" Epoch "));
        assertThrows(IllegalArgumentException.class, () -> Granularity.parse("iteration"));
    }

    private static float[] train(LearningRateSchedule schedule, Granularity g) {
        ImageDataset data = TrainingTest.colourDataset(128, 32, 3);
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(3);
        TrainingConfig config = TrainingConfig.builder().optEpochs(1).optBatchSize(32).optLearningRate(0.05)
                .optSchedule(schedule).optScheduleGranularity(g).optSeed(4).build();
        try (Network net = Network.builder().setSpec(spec).optSeed(4).build()) {
            new NetworkTrainer(config).train(net, data);
            return net.tensor("layer3.2.conv2.weight").toFloatArray();
        }
    }

    @Test
    void theTrainerMovesTheRateWithinAnEpochOnlyPerBatch() {
        float[] constant = train(LearningRateSchedule.CONSTANT, Granularity.BATCH);
        // Per epoch, a one-epoch cosine run never leaves its base rate: the same weights as constant.
        assertArrayEquals(constant, train(LearningRateSchedule.COSINE, Granularity.EPOCH));
        // Per batch it anneals within the epoch, so the weights differ.
        assertFalse(Arrays.equals(constant, train(LearningRateSchedule.COSINE, Granularity.BATCH)));
        // A constant rate is the same at either granularity.
        assertArrayEquals(constant, train(LearningRateSchedule.CONSTANT, Granularity.EPOCH));
    }
}
