package org.reconvene.trial;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.score.Scorers;
import org.reconvene.structured.ReconveneSettings;
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
     * Every config field as a flat, key-sorted map of strings, numbers and booleans. Fields that
     * do not apply to the trial's method are null (the sparsity of a dense trial, the PSE knobs
     * of an unstructured one, SynFlow's rounds for SNIP), so that trials differing only there are
     * one trial with one id.
     */
    public Map<String, Object> toMap() {
        PruningMethod method = pruning.method();
        boolean scored = method.usesScorer();
        String scorer = scored ? pruning.scorer() : null;
        boolean reconvene = method == PruningMethod.RECONVENE;
        boolean widths = reconvene || method == PruningMethod.SPAI_LAYERWISE;
        boolean masked = method == PruningMethod.UPAI || widths;
        Map<String, Object> m = new TreeMap<>();
        m.put("model", model);
        m.put("dataset", dataset);
        m.put("data_uri", dataUri);
        m.put("seed", seed);
        m.put("method", method.configName());
        m.put("scorer", scorer);
        m.put("sparsity", method == PruningMethod.DENSE ? null : pruning.sparsity());
        m.put("scope", masked ? lower(pruning.scope()) : null);
        m.put("dense_classifier", masked ? pruning.denseClassifier() : null);
        m.put("samples_per_class", scored && Scorers.get(scorer).needsData() ? pruning.samplesPerClass() : null);
        m.put("synflow_rounds", "synflow".equals(scorer) ? pruning.scorerSettings().synflowRounds() : null);
        m.put("grasp_temperature", "grasp".equals(scorer) ? pruning.scorerSettings().graspTemperature() : null);
        ReconveneSettings r = pruning.structured();
        m.put("pse_criterion", reconvene ? lower(r.criterion()) : null);
        m.put("pse_tau", reconvene && r.criterion() == ReconveneSettings.Criterion.RETENTION ? r.tau() : null);
        m.put("pse_delta", reconvene && r.criterion() == ReconveneSettings.Criterion.DENSITY ? r.delta() : null);
        m.put("alpha", widths ? r.alpha() : null);
        m.put("min_channels", widths ? r.minChannels() : null);
        m.put("rlr_reinit", reconvene ? lower(r.reinit()) : null);
        m.put("epochs", training.epochs());
        m.put("batch_size", training.batchSize());
        m.put("lr", training.learningRate());
        m.put("momentum", training.momentum());
        m.put("nesterov", training.nesterov());
        m.put("weight_decay", training.weightDecay());
        m.put("schedule", lower(training.schedule()));
        // A constant rate is the same at either granularity: one trial, one id.
        m.put("schedule_granularity", training.schedule() == org.reconvene.train.LearningRateSchedule.CONSTANT ? null
                : lower(training.scheduleGranularity()));
        m.put("max_batches", training.maxBatchesPerEpoch());
        m.put("augment", training.augment());
        m.put("latency_runs", latencyRuns);
        return m;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
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
