package org.reconvene.train;

/** Thrown when training loss stops being finite; a sweep records the trial as FAILED. */
public final class DivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The loss went to {@code loss} in epoch {@code epoch}, batch {@code batch}. */
    public DivergedException(int epoch, long batch, float loss) {
        super("training diverged: loss " + loss + " at epoch " + epoch + ", batch " + batch);
    }
}
