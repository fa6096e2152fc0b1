package org.reconvene.trial;

import java.util.List;
import java.util.Map;
import org.reconvene.metrics.MetricValues;
import org.reconvene.prune.LayerReport;
import org.reconvene.train.EpochStats;

/**
 * The outcome of one trial (or of one rung of a search trial), shaped like a result row
 * (docs/METHOD.md section 8): id, rung, status, error, config, metrics, per-layer detail,
 * per-epoch history and provenance.
 *
 * <p>A FAILED trial carries its error class and message, its config and provenance, and whatever
 * metrics it had measured before failing (often none).
 *
 * @param rung the search rung whose training the result reports, or null outside a search
 */
public record TrialResult(
        String trialId,
        Integer rung,
        Status status,
        String errorClass,
        String errorMessage,
        Map<String, Object> config,
        MetricValues metrics,
        List<LayerReport> layers,
        List<EpochStats> history,
        Map<String, Object> provenance) {

    /**
     * The FAILED result of {@code trial} for {@code error}, with the metrics measured before it.
     * An {@link Error} other than running out of memory or stack is rethrown: the JVM, not the
     * trial, is broken, and the task must fail.
     */
    public static TrialResult failed(TrialConfig trial, Integer rung, Throwable error, MetricValues metrics,
            Map<String, Object> provenance) {
        if (error instanceof Error e && !(e instanceof OutOfMemoryError) && !(e instanceof StackOverflowError)) {
            throw e;
        }
        return new TrialResult(trial.trialId(), rung, Status.FAILED, error.getClass().getName(),
                String.valueOf(error.getMessage()), trial.toMap(), metrics, List.of(), List.of(), provenance);
    }

    /** Whether a trial finished. */
    public enum Status {
        OK,
        FAILED,
        /** A search candidate whose pruned, untrained network broke a constraint: measured, never trained. */
        INFEASIBLE
    }
}
