package org.reconvene.trial;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.reconvene.prune.PruningConfig;
import org.reconvene.train.TrainingConfig;

/**
 * One point of a sweep: model, data, pruning, training and measurement settings, and the trial
 * seed from which every random stream of the trial is derived.
 *
 * <p>{@link #toMap()} is the canonical flat form (one entry per config column of a result row);
 * {@link #trialId()} hashes it, so the same configuration always gets the same id, and a rerun or
 * resumed sweep recognises trials it has already run.
 */
public record TrialConfig(
        String model,
        String dataset,
        String dataUri,
        PruningConfig pruning,
        TrainingConfig training,
        long seed,
        int latencyRuns) implements java.io.Serializable {

    /** Timed runs per latency measurement unless a trial says otherwise. */
    public static final int DEFAULT_LATENCY_RUNS = 10;

    /** Validates the fields that the nested configs do not cover. */
    public TrialConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(dataUri, "dataUri");
        Objects.requireNonNull(pruning, "pruning");
        Objects.requireNonNull(training, "training");
        if (training.seed() != seed) {
            throw new IllegalArgumentException("training seed " + training.seed() + " differs from trial seed " + seed);
        }
        if (latencyRuns < 1) {
            throw new IllegalArgumentException("latencyRuns must be at least 1, got " + latencyRuns);
        }
    }

    /**
     * Every config field ({@link TrialKey}) as a flat, key-sorted map of strings, numbers and booleans. Fields that
     * do not apply to the trial's method are null (the sparsity of a dense trial, the PSE knobs
     * of an unstructured one, SynFlow's rounds for SNIP), so that trials differing only there are
     * one trial with one id.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new TreeMap<>();
        for (TrialKey k : TrialKey.values()) {
            m.put(k.key(), k.of(this));
        }
        return m;
    }

    /** A hash of the canonical config: 16 hex digits of SHA-256 over its sorted key=value lines. */
    public String trialId() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : toMap().entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
