package org.reconvene.sweep;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.reconvene.mask.MaskScope;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.score.ScorerSettings;
import org.reconvene.structured.ReconveneSettings;
import org.reconvene.train.LearningRateSchedule;
import org.reconvene.train.TrainingConfig;
import org.reconvene.trial.TrialConfig;

/**
 * The keys a sweep may set for a trial, their defaults, and the conversion of one point of a
 * sweep (key to value) into a validated {@link TrialConfig}.
 *
 * <p>Keys are the config columns of a result row. Values are checked for type here and for range
 * by the configs themselves; either failure names the key.
 */
final class TrialKeys {

    /** Every key with its default; {@code model}, {@code dataset} and {@code method} have none. */
    static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("model", null);
        DEFAULTS.put("dataset", null);
        DEFAULTS.put("method", null);
        DEFAULTS.put("scorer", "synflow");
        DEFAULTS.put("sparsity", 0.9);
        DEFAULTS.put("seed", 0L);
        DEFAULTS.put("scope", "global");
        DEFAULTS.put("dense_classifier", false);
        DEFAULTS.put("samples_per_class", 10);
        DEFAULTS.put("synflow_rounds", 100);
        DEFAULTS.put("grasp_temperature", 200.0);
        DEFAULTS.put("pse_criterion", "retention");
        DEFAULTS.put("pse_tau", ReconveneSettings.defaults().tau());
        DEFAULTS.put("pse_delta", ReconveneSettings.defaults().delta());
        DEFAULTS.put("alpha", ReconveneSettings.defaults().alpha());
        DEFAULTS.put("min_channels", ReconveneSettings.defaults().minChannels());
        DEFAULTS.put("rlr_reinit", "affected");
        DEFAULTS.put("epochs", 1);
        DEFAULTS.put("batch_size", 64);
        DEFAULTS.put("lr", 0.1);
        DEFAULTS.put("momentum", 0.9);
        DEFAULTS.put("nesterov", false);
        DEFAULTS.put("weight_decay", 5e-4);
        DEFAULTS.put("schedule", "step");
        DEFAULTS.put("schedule_granularity", "batch");
        DEFAULTS.put("max_batches", 0);
        DEFAULTS.put("augment", true);
        DEFAULTS.put("latency_runs", 10);
    }

    private TrialKeys() {}

    /** Whether {@code key} is a trial key. */
    static boolean known(String key) {
        return DEFAULTS.containsKey(key);
    }

    static Set<String> names() {
        return DEFAULTS.keySet();
    }

    /** The trial at {@code point} (defaults filled in) reading data from {@code uri}. */
    static TrialConfig toTrial(String file, Map<String, Object> point, String uri) {
        Reader r = new Reader(file, point);
        long seed = r.integer("seed");
        try {
            PruningConfig pruning = PruningConfig.builder()
                    .setMethod(PruningMethod.parse(r.string("method")))
                    .optScorer(r.string("scorer"))
                    .optSparsity(r.number("sparsity"))
                    .optScope(MaskScope.parse(r.string("scope")))
                    .optDenseClassifier(r.bool("dense_classifier"))
                    .optSamplesPerClass(r.integer32("samples_per_class"))
                    .optScorerSettings(new ScorerSettings(r.integer32("synflow_rounds"), r.number("grasp_temperature"),
                            ScorerSettings.defaults().graspHessianMaxSamples(), ScorerSettings.defaults().chunkSize()))
                    .optStructured(new ReconveneSettings(ReconveneSettings.Criterion.parse(r.string("pse_criterion")),
                            r.number("pse_tau"), r.number("pse_delta"), r.number("alpha"), r.integer32("min_channels"),
                            ReconveneSettings.Reinit.parse(r.string("rlr_reinit"))))
                    .build();
            TrainingConfig training = TrainingConfig.builder()
                    .optEpochs(r.integer32("epochs"))
                    .optBatchSize(r.integer32("batch_size"))
                    .optLearningRate(r.number("lr"))
                    .optMomentum(r.number("momentum"))
                    .optNesterov(r.bool("nesterov"))
                    .optWeightDecay(r.number("weight_decay"))
                    .optSchedule(LearningRateSchedule.parse(r.string("schedule")))
                    .optScheduleGranularity(LearningRateSchedule.Granularity.parse(r.string("schedule_granularity")))
                    .optMaxBatchesPerEpoch(r.integer32("max_batches"))
                    .optAugment(r.bool("augment"))
                    .optSeed(seed)
                    .build();
            org.reconvene.model.Architectures.get(r.string("model"));
            return new TrialConfig(r.string("model"), r.string("dataset"), uri, pruning, training, seed,
                    r.integer32("latency_runs"));
        } catch (SweepSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new SweepSpecException(file, null, "invalid trial " + YamlLimits.brief(point) + ": "
                    + YamlLimits.brief(e.getMessage()));
        }
    }

    /** Typed access to a point's values, with errors naming the key. */
    private record Reader(String file, Map<String, Object> point) {
        Object raw(String key) {
            Object v = point.get(key);
            if (v == null) {
                throw new SweepSpecException(file, key, "is required");
            }
            return v;
        }

        String string(String key) {
            Object v = raw(key);
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new SweepSpecException(file, key, "expected a string, got " + YamlLimits.brief(v));
            }
            return v.toString().trim().toLowerCase(Locale.ROOT);
        }

        double number(String key) {
            Object v = raw(key);
            if (!(v instanceof Number)) {
                throw new SweepSpecException(file, key, "expected a number, got '" + YamlLimits.brief(v) + "'");
            }
            return ((Number) v).doubleValue();
        }

        long integer(String key) {
            Object v = raw(key);
            Long x = SweepSpec.exactLong(v);
            if (x == null) {
                throw new SweepSpecException(file, key, "expected an integer that fits in 64 bits, got '"
                        + YamlLimits.brief(v) + "'");
            }
            return x;
        }

        /** An integer key held in an int: a value beyond its range is refused, never wrapped. */
        int integer32(String key) {
            long x = integer(key);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                throw new SweepSpecException(file, key, "must be at most " + Integer.MAX_VALUE + ", got " + x);
            }
            return (int) x;
        }

        boolean bool(String key) {
            Object v = raw(key);
            if (!(v instanceof Boolean)) {
                throw new SweepSpecException(file, key, "expected true or false, got '" + YamlLimits.brief(v) + "'");
            }
            return (Boolean) v;
        }
    }
}
