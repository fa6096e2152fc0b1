package org.reconvene.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.reconvene.data.Batch;
import org.reconvene.data.BatchSampler;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.Normalization;
import org.reconvene.model.Network;
import org.reconvene.provenance.Seeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short training of a network on a dataset: SGD epochs with masks re-applied after every step,
 * test evaluation after each epoch.
 *
 * <p>Masked weights are zeroed before the first step and after every optimizer step, so they
 * stay exactly zero (docs/METHOD.md section 2). Data order and augmentation come from the config's
 * seed through {@link Seeds}; with the same seed, network and thread count a CPU run repeats
 * exactly. Each batch's tensors live in a sub-manager closed after the step, so memory stays flat
 * across epochs. A non-finite loss stops the run with {@link DivergedException}.
 */
public final class NetworkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkTrainer.class);

    private final TrainingConfig config;
    private Consumer<EpochStats> listener = s -> {};
    private Progress progress = Progress.NONE;
    private OptimizerState resumeFrom = OptimizerState.initial();
    private int stopAfter = -1;
    private OptimizerState finalState;

    /** A trainer running {@code config}. */
    public NetworkTrainer(TrainingConfig config) {
        this.config = config;
    }

    /** Receives each epoch's stats as it ends (progress reporting). */
    public NetworkTrainer onEpoch(Consumer<EpochStats> listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Receives the training batches done of the run's total after every step, and the
     * evaluation batches of each epoch's test pass, counted on after them.
     */
    public NetworkTrainer onProgress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /**
     * Continues a run from a checkpoint: the network as saved after {@code s.epochsDone()} epochs
     * and this optimizer state. The epochs then run are those the uninterrupted run would have
     * run next, with the same schedule, data order and momentum, so the weights come out the same.
     */
    public NetworkTrainer optResume(OptimizerState s) {
        this.resumeFrom = java.util.Objects.requireNonNull(s, "state");
        return this;
    }

    /**
     * Stops after epoch {@code epochs} of the config's run (a rung of a search), leaving the rest
     * for a later {@link #optResume}; the schedule still spans all {@code config.epochs()}.
     */
    public NetworkTrainer optStopAfter(int epochs) {
        if (epochs < 1 || epochs > config.epochs()) {
            throw new IllegalArgumentException("stop after " + epochs + " epochs of " + config.epochs());
        }
        this.stopAfter = epochs;
        return this;
    }

    /** The optimizer state at the end of the last {@link #train}, to checkpoint with the network. */
    public OptimizerState optimizerState() {
        if (finalState == null) {
            throw new IllegalStateException("no training has run");
        }
        return finalState;
    }

    /** Trains {@code net} in place on {@code data} and returns what it reached. */
    public TrainingResult train(Network net, ImageDataset data) {
        Normalization norm = data.train().normalization();
        BatchSampler.Builder train =
                BatchSampler.builder()
                        .setSplit(data.train())
                        .setBatchSize(config.batchSize())
                        .setNormalization(norm)
                        .optShuffle(true)
                        .optAugment(config.augment())
                        .optSeed(Seeds.derive(config.seed(), Seeds.TRAIN_DATA));
        BatchSampler.Builder test =
                BatchSampler.builder()
                        .setSplit(data.test())
                        .setBatchSize(config.evalBatchSize())
                        .setNormalization(norm)
                        .optShuffle(false)
                        .optAugment(false);
        // 0 means no cap; the sampler only takes positive caps.
        if (config.maxBatchesPerEpoch() > 0) {
            train.optMaxBatches(config.maxBatchesPerEpoch());
        }
        if (config.maxEvalBatches() > 0) {
            test.optMaxBatches(config.maxEvalBatches());
        }
        return run(net, train.build(), test.build());
    }

    private TrainingResult run(Network net, BatchSampler train, BatchSampler test) {

        List<EpochStats> history = new ArrayList<>();
        long trainNanos = 0;
        long evalNanos = 0;
        double lastLoss = Double.NaN;
        double best = 0;
        EvalResult last = null;
        net.applyMasks();
        net.requireGradients(true);
        int first = resumeFrom.epochsDone();
        int end = stopAfter > 0 ? stopAfter : config.epochs();
        if (first > end) {
            throw new IllegalArgumentException("the checkpoint is past epoch " + end + ": " + first + " epochs done");
        }
        long total = (long) (end - first) * (train.numBatches() + test.numBatches());
        long done = 0;
        try (TrainStep step = new TrainStep(net, config)) {
            step.restore(resumeFrom);
            for (int epoch = first; epoch < end; epoch++) {
                boolean perBatch = config.scheduleGranularity() == LearningRateSchedule.Granularity.BATCH;
                int batchesPerEpoch = Math.max(1, train.numBatches());
                double lr = perBatch
                        ? config.schedule().rateAt(config.learningRate(), epoch, config.epochs(), config.gamma())
                        : config.schedule().rate(config.learningRate(), epoch, config.epochs(), config.gamma());
                double epochStartLr = lr;
                long t0 = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                long batches = 0;
                for (Batch b : train.epoch(epoch)) {
                    try (NDManager bm = net.manager().newSubManager()) {
                        NDArray x = bm.create(b.x(), new Shape(b.size(), b.channels(), b.height(), b.width()));
                        NDArray y = bm.create(b.y());
                        if (perBatch) {
                            lr = config.schedule().rateAt(config.learningRate(),
                                    epoch + (double) batches / batchesPerEpoch, config.epochs(), config.gamma());
                        }
                        TrainStep.Outcome o = step.run(x, y, lr);
                        float loss = o.loss();
                        if (!Float.isFinite(loss)) {
                            throw new DivergedException(epoch + 1, batches, loss);
                        }
                        correct += o.correct();
                        lossSum += (double) loss * b.size();
                        seen += b.size();
                        batches++;
                    }
                    progress.update(++done, total);
                }
                long t1 = System.nanoTime();
                long evalStart = done;
                last = Evaluator.evaluate(net, test, (d, t) -> progress.update(evalStart + d, total));
                done = evalStart + test.numBatches();
                long t2 = System.nanoTime();
                trainNanos += t1 - t0;
                evalNanos += t2 - t1;
                lastLoss = seen == 0 ? Double.NaN : lossSum / seen;
                best = Math.max(best, last.top1());
                EpochStats stats =
                        new EpochStats(epoch + 1, epochStartLr, lastLoss, seen == 0 ? 0 : (double) correct / seen,
                                last.loss(), last.top1(), last.top5(), batches, (t2 - t0) / 1_000_000);
                history.add(stats);
                LOG.info("epoch {}/{}: lr {} loss {} train-top1 {} test-top1 {}", stats.epoch(),
                        config.epochs(), String.format("%.4g", epochStartLr), String.format("%.4f", lastLoss),
                        String.format("%.4f", stats.trainTop1()), String.format("%.4f", last.top1()));
                listener.accept(stats);
            }
            finalState = step.optimizerState(end);
        } finally {
            net.requireGradients(false);
        }
        if (last == null) {
            long t0 = System.nanoTime();
            last = Evaluator.evaluate(net, test);
            evalNanos += System.nanoTime() - t0;
            best = last.top1();
        }
        return new TrainingResult(last.top1(), best, last.top5(), lastLoss, List.copyOf(history),
                trainNanos / 1_000_000, evalNanos / 1_000_000);
    }
}
