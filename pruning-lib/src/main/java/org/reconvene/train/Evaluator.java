package org.reconvene.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.reconvene.data.Batch;
import org.reconvene.data.BatchSampler;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;

/** Measures a network's accuracy and loss over one pass of a sampler, in inference mode. */
public final class Evaluator {

    private Evaluator() {}

    /** Top-1, top-5 and mean loss of {@code net} over {@code sampler}'s first epoch. */
    public static EvalResult evaluate(Network net, BatchSampler sampler) {
        return evaluate(net, sampler, Progress.NONE);
    }

    /** {@link #evaluate(Network, BatchSampler)}, telling {@code progress} the batches done of the sampler's. */
    public static EvalResult evaluate(Network net, BatchSampler sampler, Progress progress) {
        long batches = 0;
        long n = 0;
        long c1 = 0;
        long c5 = 0;
        double lossSum = 0;
        try (Autograd ignored = Autograd.disable()) {
            for (Batch b : sampler.epoch(0)) {
                try (NDManager bm = net.manager().newSubManager()) {
                    NDArray x = bm.create(b.x(), new Shape(b.size(), b.channels(), b.height(), b.width()));
                    NDArray y = bm.create(b.y());
                    NDArray logits = net.forward(x, false);
                    lossSum += Losses.crossEntropy(logits, y).getFloat() * b.size();
                    c1 += Losses.correctTopK(logits, y, 1);
                    c5 += Losses.correctTopK(logits, y, 5);
                    n += b.size();
                }
                progress.update(++batches, sampler.numBatches());
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("evaluation split is empty");
        }
        return new EvalResult((double) c1 / n, (double) c5 / n, lossSum / n, n);
    }
}
