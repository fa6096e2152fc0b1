package org.reconvene.score;

/**
 * Where a SynFlow run spent its time: {@code flowMs} in forward and backward passes and in reading
 * the scores out, {@code selectMs} in choosing each round's masks and putting them into the next
 * round's weights.
 */
public record SynFlowTiming(int rounds, long flowMs, long selectMs) {

    /** The share of the run spent in selection. */
    public double selectShare() {
        long total = flowMs + selectMs;
        return total == 0 ? 0 : (double) selectMs / total;
    }
}
