package org.reconvene.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Cross-entropy and accuracy counts over a batch of logits, shared by training, evaluation and scoring. */
public final class Losses {

    private Losses() {}

    /** Mean cross-entropy of {@code logits} (N, K) against integer labels (N). */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray oneHot = labels.oneHot((int) logits.getShape().get(1));
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }

    /**
     * Number of samples whose true class is among the {@code k} highest logits; ranks count the
     * logits strictly above the true one, so k = 1 is the usual top-1 with ties in its favour.
     */
    public static long correctTopK(NDArray logits, NDArray labels, int k) {
        NDArray oneHot = labels.oneHot((int) logits.getShape().get(1));
        NDArray trueLogit = logits.mul(oneHot).sum(new int[] {1}, true);
        NDArray rank = logits.gt(trueLogit).toType(DataType.INT32, false).sum(new int[] {1});
        return rank.lt(k).toType(DataType.INT32, false).sum().toType(DataType.INT64, false).getLong();
    }
}
