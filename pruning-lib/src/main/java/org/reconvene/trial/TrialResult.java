package org.reconvene.trial;

import java.util.List;
import java.util.Map;
import org.reconvene.prune.LayerReport;
import org.reconvene.train.EpochStats;

/**
 * The outcome of one trial, shaped like a result row (docs/METHOD.md section 8): id, status, error,
 * config, metrics, per-layer detail, per-epoch history and provenance.
 *
 * <p>A FAILED trial carries its error class and message, its config and provenance, and whatever
 * metrics it had measured before failing (often none).
 */
public record TrialResult(
        String trialId,
        Status status,
        String errorClass,
        String errorMessage,
        Map<String, Object> config,
        Map<String, Object> metrics,
        List<LayerReport> layers,
        List<EpochStats> history,
        Map<String, Object> provenance) {

    /** Whether a trial finished. */
    public enum Status {
        OK,
        FAILED,
        /** A search candidate whose pruned, untrained network broke a constraint: measured, never trained. */
        INFEASIBLE
    }
}
