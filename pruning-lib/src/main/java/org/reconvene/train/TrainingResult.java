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
        long evalMs) {

    /**
     * The result-row metrics of training (docs/METHOD.md section 7): {@code top1}, {@code top1_best},
     * {@code top5} (only for more than 10 classes, else null), {@code loss}, {@code train_ms},
     * {@code eval_ms}.
     */
    public java.util.Map<String, Object> metrics(int classes) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("top1", top1);
        m.put("top1_best", top1Best);
        m.put("top5", classes > 10 ? top5 : null);
        m.put("loss", loss);
        m.put("train_ms", trainMs);
        m.put("eval_ms", evalMs);
        return m;
    }
}
