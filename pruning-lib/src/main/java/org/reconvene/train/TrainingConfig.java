package org.reconvene.train;

/**
 * The knobs of short training: epochs, batch, SGD settings, schedule, augmentation and seed.
 *
 * <p>Built with {@link #builder()}; every value has a default suited to short CIFAR runs
 * (SGD, lr 0.1, momentum 0.9, weight decay 5e-4, step schedule). Instances are immutable and
 * safe to share between trials.
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        double learningRate,
        double momentum,
        boolean nesterov,
        double weightDecay,
        LearningRateSchedule schedule,
        LearningRateSchedule.Granularity scheduleGranularity,
        double gamma,
        int maxBatchesPerEpoch,
        boolean augment,
        int evalBatchSize,
        int maxEvalBatches,
        long seed) implements java.io.Serializable {

    /** Validates every field; a bad value is an error that names it. */
    public TrainingConfig {
        require(epochs >= 0, "epochs", epochs);
        require(batchSize >= 1, "batchSize", batchSize);
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate);
        require(momentum >= 0 && momentum < 1, "momentum", momentum);
        require(!nesterov || momentum > 0, "nesterov (needs momentum > 0)", nesterov);
        require(weightDecay >= 0, "weightDecay", weightDecay);
        require(gamma > 0 && gamma <= 1, "gamma", gamma);
        require(maxBatchesPerEpoch >= 0, "maxBatchesPerEpoch", maxBatchesPerEpoch);
        require(evalBatchSize >= 1, "evalBatchSize", evalBatchSize);
        require(maxEvalBatches >= 0, "maxEvalBatches", maxEvalBatches);
        if (schedule == null) {
            throw new IllegalArgumentException("schedule is required");
        }
        if (scheduleGranularity == null) {
            throw new IllegalArgumentException("scheduleGranularity is required");
        }
    }

    private static void require(boolean ok, String field, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid training " + field + ": " + value);
        }
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TrainingConfig}; every setter is optional. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 64;
        private double learningRate = 0.1;
        private double momentum = 0.9;
        private boolean nesterov;
        private double weightDecay = 5e-4;
        private LearningRateSchedule schedule = LearningRateSchedule.STEP;
        private LearningRateSchedule.Granularity scheduleGranularity = LearningRateSchedule.Granularity.BATCH;
        private double gamma = 0.1;
        private int maxBatchesPerEpoch;
        private boolean augment = true;
        private int evalBatchSize = 256;
        private int maxEvalBatches;
        private long seed;

        private Builder() {}

        /** Training epochs (0 evaluates the initial network only). */
        public Builder optEpochs(int v) {
            epochs = v;
            return this;
        }

        /** Training batch size. */
        public Builder optBatchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Base learning rate. */
        public Builder optLearningRate(double v) {
            learningRate = v;
            return this;
        }

        /** SGD momentum. */
        public Builder optMomentum(double v) {
            momentum = v;
            return this;
        }

        /** Nesterov momentum. */
        public Builder optNesterov(boolean v) {
            nesterov = v;
            return this;
        }

        /** L2 weight decay added to every parameter's gradient. */
        public Builder optWeightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** Learning-rate schedule. */
        /** How often the rate moves (default {@code BATCH}; see {@link LearningRateSchedule}). */
        public Builder optScheduleGranularity(LearningRateSchedule.Granularity v) {
            scheduleGranularity = v;
            return this;
        }

        public Builder optSchedule(LearningRateSchedule v) {
            schedule = v;
            return this;
        }

        /** Factor of each step of the step schedule. */
        public Builder optGamma(double v) {
            gamma = v;
            return this;
        }

        /** Cap on training batches per epoch; 0 means the whole split. */
        public Builder optMaxBatchesPerEpoch(int v) {
            maxBatchesPerEpoch = v;
            return this;
        }

        /** Random crop and flip of training images. */
        public Builder optAugment(boolean v) {
            augment = v;
            return this;
        }

        /** Batch size of evaluation. */
        public Builder optEvalBatchSize(int v) {
            evalBatchSize = v;
            return this;
        }

        /** Cap on evaluation batches; 0 means the whole test split. */
        public Builder optMaxEvalBatches(int v) {
            maxEvalBatches = v;
            return this;
        }

        /** Seed of data order and augmentation. */
        public Builder optSeed(long v) {
            seed = v;
            return this;
        }

        /** The validated config. */
        public TrainingConfig build() {
            return new TrainingConfig(epochs, batchSize, learningRate, momentum, nesterov,
                    weightDecay, schedule, scheduleGranularity, gamma, maxBatchesPerEpoch, augment, evalBatchSize,
                    maxEvalBatches, seed);
        }
    }
}
