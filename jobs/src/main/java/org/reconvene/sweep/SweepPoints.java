package org.reconvene.sweep;

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
import org.reconvene.trial.TrialKey;

/**
 * The keys a sweep may set for a trial, their defaults, and the conversion of one point of a
 * sweep (key to value) into a validated {@link TrialConfig}.
 *
 * <p>Keys are the config columns of a result row. Values are checked for type here and for range
 * by the configs themselves; either failure names the key.
 */
final class SweepPoints {

    /** Every key with its default (null for model, dataset, method), from {@link TrialKey}. */
    static final Map<String, Object> DEFAULTS = TrialKey.defaults();

    private SweepPoints() {}

    /** Whether {@code key} is a trial key. */
    static boolean known(String key) {
        return TrialKey.byKey(key).filter(TrialKey::sweepKey).isPresent();
    }

    static Set<String> names() {
        return DEFAULTS.keySet();
    }

    /** The trial at {@code point} (defaults filled in) reading data from {@code uri}. */
    static TrialConfig toTrial(String file, Map<String, Object> point, String uri) {
        Reader r = new Reader(file, point);
        long seed = r.integer(TrialKey.SEED);
        try {
            PruningConfig pruning = PruningConfig.builder()
                    .setMethod(PruningMethod.parse(r.string(TrialKey.METHOD)))
                    .optScorer(r.string(TrialKey.SCORER))
                    .optSparsity(r.number(TrialKey.SPARSITY))
                    .optScope(MaskScope.parse(r.string(TrialKey.SCOPE)))
                    .optDenseClassifier(r.bool(TrialKey.DENSE_CLASSIFIER))
                    .optSamplesPerClass(r.integer32(TrialKey.SAMPLES_PER_CLASS))
                    .optScorerSettings(new ScorerSettings(r.integer32(TrialKey.SYNFLOW_ROUNDS), r.number(TrialKey.GRASP_TEMPERATURE),
                            ScorerSettings.defaults().graspHessianMaxSamples(), ScorerSettings.defaults().chunkSize()))
                    .optStructured(new ReconveneSettings(ReconveneSettings.Criterion.parse(r.string(TrialKey.PSE_CRITERION)),
                            r.number(TrialKey.PSE_TAU), r.number(TrialKey.PSE_DELTA), r.number(TrialKey.ALPHA), r.integer32(TrialKey.MIN_CHANNELS),
                            ReconveneSettings.Reinit.parse(r.string(TrialKey.RLR_REINIT))))
                    .build();
            TrainingConfig training = TrainingConfig.builder()
                    .optEpochs(r.integer32(TrialKey.EPOCHS))
                    .optBatchSize(r.integer32(TrialKey.BATCH_SIZE))
                    .optLearningRate(r.number(TrialKey.LR))
                    .optMomentum(r.number(TrialKey.MOMENTUM))
                    .optNesterov(r.bool(TrialKey.NESTEROV))
                    .optWeightDecay(r.number(TrialKey.WEIGHT_DECAY))
                    .optSchedule(LearningRateSchedule.parse(r.string(TrialKey.SCHEDULE)))
                    .optScheduleGranularity(LearningRateSchedule.Granularity.parse(r.string(TrialKey.SCHEDULE_GRANULARITY)))
                    .optMaxBatchesPerEpoch(r.integer32(TrialKey.MAX_BATCHES))
                    .optAugment(r.bool(TrialKey.AUGMENT))
                    .optSeed(seed)
                    .build();
            org.reconvene.model.Architectures.get(r.string(TrialKey.MODEL));
            return new TrialConfig(r.string(TrialKey.MODEL), r.string(TrialKey.DATASET), uri, pruning, training, seed,
                    r.integer32(TrialKey.LATENCY_RUNS));
        } catch (SweepSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new SweepSpecException(file, null, "invalid trial " + YamlLimits.brief(point) + ": "
                    + YamlLimits.brief(e.getMessage()));
        }
    }

    /** Typed access to a point's values, with errors naming the key. */
    private record Reader(String file, Map<String, Object> point) {
        Object raw(TrialKey k) {
            String key = k.key();
            Object v = point.get(key);
            if (v == null) {
                throw new SweepSpecException(file, key, "is required");
            }
            return v;
        }

        String string(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new SweepSpecException(file, key, "expected a string, got " + YamlLimits.brief(v));
            }
            return v.toString().trim().toLowerCase(Locale.ROOT);
        }

        double number(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            if (!(v instanceof Number)) {
                throw new SweepSpecException(file, key, "expected a number, got '" + YamlLimits.brief(v) + "'");
            }
            return ((Number) v).doubleValue();
        }

        long integer(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            Long x = SweepSpec.exactLong(v);
            if (x == null) {
                throw new SweepSpecException(file, key, "expected an integer that fits in 64 bits, got '"
                        + YamlLimits.brief(v) + "'");
            }
            return x;
        }

        /** An integer key held in an int: a value beyond its range is refused, never wrapped. */
        int integer32(TrialKey k) {
            long x = integer(k);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                throw new SweepSpecException(file, k.key(), "must be at most " + Integer.MAX_VALUE + ", got " + x);
            }
            return (int) x;
        }

        boolean bool(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            if (!(v instanceof Boolean)) {
                throw new SweepSpecException(file, key, "expected true or false, got '" + YamlLimits.brief(v) + "'");
            }
            return (Boolean) v;
        }
    }
}
