package org.reconvene.score;

/**
 * Where a SynFlow run spent its time, summed over its rounds: {@code passMs} in forward and
 * backward passes, {@code scoreMs} in computing the scores from the gradients and reading them
 * out, {@code selectMs} in choosing each round's masks, and {@code applyMs} in putting them into
 * the next round's weights.
 */
public record SynFlowTiming(int rounds, long passMs, long scoreMs, long selectMs, long applyMs) {

    /** All four phases. */
    public long totalMs() {
        return passMs + scoreMs + selectMs + applyMs;
    }

    /** The share of the run spent in selection: choosing the masks and applying them. */
    public double selectShare() {
        long total = totalMs();
        return total == 0 ? 0 : (double) (selectMs + applyMs) / total;
    }
}
