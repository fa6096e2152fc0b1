package org.reconvene.train;

import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
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
        long evalMs) {

    /**
     * The result-row metrics of training (docs/METHOD.md section 7): {@code top1}, {@code top1_best},
     * {@code top5} (only for more than 10 classes, else null), {@code loss}, {@code train_ms},
     * {@code eval_ms}.
     */
    public MetricValues metrics(int classes) {
        MetricValues m = new MetricValues().put(Metric.TOP1, top1).put(Metric.TOP1_BEST, top1Best);
        if (classes > 10) {
            m.put(Metric.TOP5, top5);
        }
        return m.put(Metric.LOSS, loss).put(Metric.TRAIN_MS, trainMs).put(Metric.EVAL_MS, evalMs);
    }
}
