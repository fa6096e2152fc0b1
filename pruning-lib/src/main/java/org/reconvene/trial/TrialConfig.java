package org.reconvene.trial;

import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.ImportedArchitecture;
import org.reconvene.prune.PruningConfig;
import org.reconvene.score.ScorerSettings;
import org.reconvene.structured.ReconveneSettings;
import org.reconvene.train.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
        String modelDigest,
        String dataset,
        String dataUri,
        PruningConfig pruning,
        TrainingConfig training,
        long seed,
        int latencyRuns) implements java.io.Serializable {

    /** Timed runs per latency measurement unless a trial says otherwise (the builder's default). */
    public static final int DEFAULT_LATENCY_RUNS = 10;

    /** A builder: every setting through {@link TrialKey}, each default in the builder field it initialises. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link TrialConfig} from values set key by key ({@link #set}): the one way a sweep
     * file's point and the CLI's options become a trial. Model, dataset, data URI and method are
     * required; everything else starts at the library builders' defaults.
     */
    public static final class Builder {
        String model;
        String modelDigest;
        String dataset;
        String dataUri;
        int latencyRuns = DEFAULT_LATENCY_RUNS;
        final PruningConfig.Builder pruning = PruningConfig.builder();
        final ScorerSettings.Builder scorer = ScorerSettings.builder();
        final ReconveneSettings.Builder structured = ReconveneSettings.builder();
        final TrainingConfig.Builder training = TrainingConfig.builder();

        private Builder() {}

        /**
         * Sets {@code key} to {@code value} (see {@link TrialKey}'s types).
         *
         * @throws IllegalArgumentException naming the key if the value is not of its type or range
         */
        public Builder set(TrialKey key, Object value) {
            key.set(this, value);
            return this;
        }

        /** The architecture name. */
        public Builder setModel(String model) {
            return set(TrialKey.MODEL, model);
        }

        /** The model set so far (a zoo name, or the canonical URI of an ONNX file), or null. */
        public String model() {
            return model;
        }

        /** The dataset name. */
        public Builder setDataset(String dataset) {
            return set(TrialKey.DATASET, dataset);
        }

        /** The canonical URI of the data, kept as it is (not lower-cased). */
        public Builder setDataUri(String uri) {
            this.dataUri = uri;
            return this;
        }

        /** Training settings that are not part of a trial's identity ({@code --max-eval-batches}). */
        public TrainingConfig.Builder training() {
            return training;
        }

        /** The pruning config alone (for {@code prune}, which needs no model or dataset name here). */
        public PruningConfig buildPruning() {
            return pruning.optScorerSettings(scorer.build()).optStructured(structured.build()).build();
        }

        /** The training config alone (for {@code train}). */
        public TrainingConfig buildTraining() {
            return training.build();
        }

        /**
         * The trial. A model imported from an ONNX file is read now for its digest, unless one was
         * set (a row read back, or a trial shipped to an executor).
         *
         * @throws IllegalArgumentException naming the file if it cannot be read or imported
         */
        public TrialConfig build() {
            TrainingConfig t = buildTraining();
            String digest = modelDigest;
            if (digest == null && ImportedArchitecture.isFile(model)) {
                digest = Architectures.importFile(model).digest();
            }
            return new TrialConfig(model, digest, dataset, dataUri, buildPruning(), t, t.seed(), latencyRuns);
        }
    }

    /** Validates the fields that the nested configs do not cover. */
    public TrialConfig {
        Objects.requireNonNull(model, "model");
        if (ImportedArchitecture.isFile(model) != (modelDigest != null)) {
            throw new IllegalArgumentException("model " + model + (modelDigest == null
                    ? " is an ONNX file but the trial has no digest of it" : " is not a file but the trial has a digest"));
        }
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
     * The trial's architecture: a zoo model, or its ONNX file imported now.
     *
     * @throws IllegalArgumentException if the file's content is no longer what the trial was
     *     planned with (its digest differs), or it cannot be imported
     */
    public Architecture architecture() {
        Architecture a = Architectures.get(model);
        if (a instanceof ImportedArchitecture imported && !imported.digest().equals(modelDigest)) {
            throw new IllegalArgumentException("model file " + model + " changed since the trial was planned: its "
                    + "SHA-256 is now " + imported.digest() + ", the trial's " + modelDigest);
        }
        return a;
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
            if (e.getValue() == null && !TrialKey.byKey(e.getKey()).orElseThrow().hashedWhenNull()) {
                continue;
            }
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
