package org.reconvene.train;

import ai.djl.ndarray.NDArray;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;

/**
 * One SGD step of a network on one batch: forward in training mode, cross-entropy, backward,
 * the optimizer update, masks re-applied. {@link NetworkTrainer} runs its epochs with it, and the
 * training benchmark times exactly this.
 *
 * <p>A step owns an {@link SgdOptimizer} whose momentum buffers persist across calls; close it
 * to free them. The network must have {@link Network#requireGradients(boolean) gradients on}.
 */
public final class TrainStep implements AutoCloseable {

    /** What one step saw: its loss (non-finite: no update was made) and the batch's correct top-1. */
    public record Outcome(float loss, long correct) {}

    private final Network net;
    private final SgdOptimizer sgd;
    private final long[] phaseNanos = new long[3];

    /** A step for {@code net} with {@code config}'s momentum, Nesterov and weight decay. */
    public TrainStep(Network net, TrainingConfig config) {
        this.net = net;
        this.sgd = new SgdOptimizer(net, config);
    }

    /**
     * Trains on batch {@code x} (N, C, H, W) with labels {@code y} at rate {@code lr}. A
     * non-finite loss is returned without backward or update, for the caller to stop on.
     */
    public Outcome run(NDArray x, NDArray y, double lr) {
        long correct;
        float loss;
        long t0 = System.nanoTime();
        long t1;
        try (Autograd ignored = Autograd.enable()) {
            NDArray logits = net.forward(x, true);
            NDArray l = Losses.crossEntropy(logits, y);
            loss = l.getFloat();
            t1 = System.nanoTime();
            if (!Float.isFinite(loss)) {
                return new Outcome(loss, 0);
            }
            Autograd.backward(l);
            try (Autograd off = Autograd.disable()) {
                correct = Losses.correctTopK(logits, y, 1);
            }
        }
        long t2 = System.nanoTime();
        sgd.step(lr);
        net.applyMasks();
        long t3 = System.nanoTime();
        phaseNanos[0] = t1 - t0;
        phaseNanos[1] = t2 - t1;
        phaseNanos[2] = t3 - t2;
        return new Outcome(loss, correct);
    }

    /** The optimizer's state after {@code epochsDone} epochs (for a checkpoint). */
    public OptimizerState optimizerState(int epochsDone) {
        return sgd.state(epochsDone);
    }

    /** Continues from a checkpoint's optimizer state; before the first step. */
    public void restore(OptimizerState s) {
        sgd.restore(s);
    }

    /**
     * Nanoseconds of the last step's phases: forward with the loss, backward, and the update
     * with masks re-applied (for the training benchmark's breakdown).
     */
    public long[] lastPhaseNanos() {
        return phaseNanos.clone();
    }

    @Override
    public void close() {
        sgd.close();
    }
}
