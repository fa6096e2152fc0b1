package org.reconvene.trial;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.reconvene.deploy.OnnxModel;
import org.reconvene.metrics.MetricValues;
import org.reconvene.prune.LayerReport;

/**
 * How much of a trial one run does: a sweep's trial runs whole; a search runs it in rungs, each
 * from the previous rung's checkpoint, the first one checked against constraints before any
 * training. {@link TrialRunner} runs every plan through the same steps.
 *
 * <p>Build with {@link #builder()}; every value is optional, and the empty plan is a whole trial.
 */
public final class TrialPlan {

    /** Where a later rung starts: the previous rung's checkpoint, and what that rung measured. */
    public record Checkpoint(Path dir, MetricValues measured, List<LayerReport> layers) {
        public Checkpoint {
            Objects.requireNonNull(dir, "dir");
            measured = measured == null ? new MetricValues() : measured.beforeTraining();
            layers = layers == null ? List.of() : List.copyOf(layers);
        }
    }

    /** Receives a trained network saved as a checkpoint directory (network, optimizer state, input). */
    @FunctionalInterface
    public interface CheckpointSink {
        /** Stores the checkpoint in {@code dir}; a failure here fails the trial. */
        void accept(Path dir) throws java.io.IOException;
    }

    /** Receives each trial's trained network exported to ONNX, before its result is returned. */
    @FunctionalInterface
    public interface Deployment {
        /** Stores {@code model} of {@code trial}; a failure here fails the trial. */
        void accept(TrialConfig trial, OnnxModel model) throws java.io.IOException;

        /** Stores {@code model}'s int8 file, when the plan quantizes ({@link Builder#optInt8}). */
        default void acceptInt8(TrialConfig trial, OnnxModel int8) throws java.io.IOException {}
    }

    private static final TrialPlan WHOLE = builder().build();

    private final Integer rung;
    private final int stopAfter;
    private final Checkpoint resume;
    private final Function<MetricValues, String> constraints;
    private final CheckpointSink checkpoint;
    private final Deployment deployment;
    private final int int8Batches;
    private final org.reconvene.train.Progress progress;

    private TrialPlan(Builder b) {
        this.int8Batches = b.int8Batches;
        this.rung = b.rung;
        this.stopAfter = b.stopAfter;
        this.resume = b.resume;
        this.constraints = b.constraints;
        this.checkpoint = b.checkpoint;
        this.deployment = b.deployment;
        this.progress = b.progress;
    }

    /** A whole trial: prune, train every epoch, measure. */
    public static TrialPlan whole() {
        return WHOLE;
    }

    /** A builder of a plan. */
    public static Builder builder() {
        return new Builder();
    }

    /** The search rung the run is, or null outside a search. */
    public Integer rung() {
        return rung;
    }

    /** The epoch count training stops at (the schedule still spans all of them); 0 trains every epoch. */
    public int stopAfter() {
        return stopAfter;
    }

    /** The checkpoint a later rung continues from, or null to prune a fresh network. */
    public Checkpoint resume() {
        return resume;
    }

    /**
     * The constraints the pruned, untrained network must meet: the measurements in, why they are
     * broken out (null when they are not). A plan with constraints measures before training.
     */
    public Function<MetricValues, String> constraints() {
        return constraints;
    }

    /** Where the trained network goes as a checkpoint, or null. */
    public CheckpointSink checkpoint() {
        return checkpoint;
    }

    /** Where the trained network goes exported to ONNX, or null. */
    public Deployment deployment() {
        return deployment;
    }

    /** Calibration batches of the int8 files and metrics, or 0 for none. */
    public int int8Batches() {
        return int8Batches;
    }

    /** Receives the training's progress in batches (training and evaluation). */
    public org.reconvene.train.Progress progress() {
        return progress;
    }

    /** Builds a {@link TrialPlan}; every value is optional. */
    public static final class Builder {
        private Integer rung;
        private int stopAfter;
        private Checkpoint resume;
        private Function<MetricValues, String> constraints;
        private CheckpointSink checkpoint;
        private Deployment deployment;
        private int int8Batches;
        private org.reconvene.train.Progress progress = org.reconvene.train.Progress.NONE;

        private Builder() {}

        /**
         * Quantizes to int8 as well (docs/METHOD.md section 7), calibrated on {@code batches}
         * batches of training images: the int8 metrics join the row, and the int8 file goes to
         * the deployment, if any.
         */
        public Builder optInt8(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("int8 calibration batches must be at least 1, got " + batches);
            }
            this.int8Batches = batches;
            return this;
        }

        /** Tells {@code progress} the batches trained and evaluated (a sweep driver's view of its trials). */
        public Builder optProgress(org.reconvene.train.Progress progress) {
            this.progress = java.util.Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** The search rung this run is; its result row is that rung's. */
        public Builder optRung(int rung) {
            this.rung = rung;
            return this;
        }

        /** Stops training once {@code epochs} epochs are reached. */
        public Builder optStopAfter(int epochs) {
            this.stopAfter = epochs;
            return this;
        }

        /** Continues from a checkpoint instead of pruning a fresh network. */
        public Builder optResume(Checkpoint from) {
            this.resume = from;
            return this;
        }

        /** Checks the pruned network before training; a broken constraint makes the result INFEASIBLE. */
        public Builder optConstraints(Function<MetricValues, String> check) {
            this.constraints = check;
            return this;
        }

        /** Saves the trained network as a checkpoint and hands it over. */
        public Builder optCheckpoint(CheckpointSink sink) {
            this.checkpoint = sink;
            return this;
        }

        /** Exports the trained network to ONNX and hands it over. */
        public Builder optDeployment(Deployment deployment) {
            this.deployment = deployment;
            return this;
        }

        /**
         * The plan.
         *
         * @throws IllegalArgumentException if a value is out of range
         */
        public TrialPlan build() {
            if (stopAfter < 0 || (rung != null && rung < 0)) {
                throw new IllegalArgumentException("stopAfter and rung must be >= 0");
            }
            if (resume != null && constraints != null) {
                throw new IllegalArgumentException("constraints are checked on a fresh network, not on a resumed one");
            }
            return new TrialPlan(this);
        }
    }
}
