package org.reconvene.trial;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.reconvene.data.Uris;
import org.reconvene.mask.MaskScope;
import org.reconvene.model.ImportedArchitecture;
import org.reconvene.prune.PruningMethod;
import org.reconvene.score.Scorers;
import org.reconvene.structured.ReconveneSettings;
import org.reconvene.train.LearningRateSchedule;

/**
 * Every setting of a trial, declared once: its name (the sweep key and the result column), its
 * type, its default, the CLI option that sets it, the trials it applies to, its unit, and how its
 * value is read from a {@link TrialConfig}.
 *
 * <p>Everything else is derived from these declarations: {@link TrialConfig#toMap()} (and so the
 * trial id), the defaults and the accepted keys of a sweep file, the config columns of the
 * Parquet schema with the reasons a column may be null, and the defaults the CLI shows and uses.
 * A default is read from the library's own builders (through {@link #defaults()}), so it is
 * written in one place: the builder field, as Tribuo reads provenance from its config fields.
 *
 * <p>Declaration order is column order. Renaming a key changes every trial id; adding one that
 * applies to existing trials does too, so a new key should not apply (null) to the trials that
 * existed before it, or resumed sweeps rerun them.
 */
public enum TrialKey {
    MODEL("model", Type.STRING, null, "architecture name, or the canonical URI of an ONNX file", t -> t.model(),
            (b, v) -> b.model = (String) v),
    /** Derived, never set by a user: the content of an imported model file is part of the trial's identity. */
    MODEL_DIGEST("model_digest", Type.STRING, null, "SHA-256 of the imported ONNX file's content",
            t -> t.modelDigest(), (b, v) -> b.modelDigest = (String) v,
            "only models imported from ONNX files", t -> t.modelDigest() != null),
    DATASET("dataset", Type.STRING, null, "dataset name", t -> t.dataset(), (b, v) -> b.dataset = (String) v),
    DATA_URI("data_uri", Type.STRING, null, "canonical URI of the data directory", t -> t.dataUri(),
            (b, v) -> b.dataUri = (String) v),
    SEED("seed", Type.LONG, "--seed", "trial seed; every random stream is derived from it", t -> t.seed(),
            (b, v) -> b.training.optSeed((Long) v)),
    METHOD("method", Type.STRING, "--method", "pruning method: dense, upai, reconvene, spai-random, spai-l1 or "
            + "spai-layerwise", t -> t.pruning().method().configName(),
            (b, v) -> b.pruning.setMethod(PruningMethod.parse((String) v))),
    SCORER("scorer", Type.STRING, "--scorer", "unstructured scorer: random, magnitude, snip, grasp or synflow",
            t -> t.pruning().scorer(), (b, v) -> b.pruning.optScorer((String) v),
            "only methods that score weights (not dense, spai-random, spai-l1)", TrialKey::scored),
    SPARSITY("sparsity", Type.DOUBLE, "--sparsity", "fraction of prunable weights removed",
            t -> t.pruning().sparsity(), (b, v) -> b.pruning.optSparsity((Double) v),
            "not for dense", t -> t.pruning().method() != PruningMethod.DENSE),
    SCOPE("scope", Type.STRING, "--scope", "global or layerwise ranking", t -> lower(t.pruning().scope()),
            (b, v) -> b.pruning.optScope(MaskScope.parse((String) v)),
            "only methods with an unstructured mask (upai, reconvene, spai-layerwise)", TrialKey::masked),
    DENSE_CLASSIFIER("dense_classifier", Type.BOOLEAN, "--dense-classifier",
            "leave the classifier unpruned and out of the ranking", t -> t.pruning().denseClassifier(),
            (b, v) -> b.pruning.optDenseClassifier((Boolean) v),
            "only methods with an unstructured mask", TrialKey::masked),
    SAMPLES_PER_CLASS("samples_per_class", Type.INT, "--samples-per-class", "pruning images per class",
            t -> t.pruning().samplesPerClass(), (b, v) -> b.pruning.optSamplesPerClass((Integer) v),
            "only scorers that need data (snip, grasp)",
                    t -> scored(t) && Scorers.get(t.pruning().scorer()).needsData()),
    SYNFLOW_ROUNDS("synflow_rounds", Type.INT, "--synflow-rounds", "SynFlow's iterative rounds",
            t -> t.pruning().scorerSettings().synflowRounds(), (b, v) -> b.scorer.optSynflowRounds((Integer) v),
            "only the synflow scorer", t -> scored(t) && "synflow".equals(t.pruning().scorer())),
    GRASP_TEMPERATURE("grasp_temperature", Type.DOUBLE, null, "GraSP's softmax temperature",
            t -> t.pruning().scorerSettings().graspTemperature(),
            (b, v) -> b.scorer.optGraspTemperature((Double) v),
            "only the grasp scorer", t -> scored(t) && "grasp".equals(t.pruning().scorer())),
    PSE_CRITERION("pse_criterion", Type.STRING, "--criterion", "PSE's layer criterion: retention (sensitivity <= "
            + "tau) or density (density <= delta)", t -> lower(t.pruning().structured().criterion()),
            (b, v) -> b.structured.optCriterion(ReconveneSettings.Criterion.parse((String) v)),
            "only reconvene", TrialKey::reconvene),
    PSE_TAU("pse_tau", Type.DOUBLE, "--tau", "PSE sensitivity threshold", t -> t.pruning().structured().tau(),
            (b, v) -> b.structured.optTau((Double) v),
            "only reconvene with the retention criterion", t -> reconvene(t)
                    && t.pruning().structured().criterion() == ReconveneSettings.Criterion.RETENTION),
    PSE_DELTA("pse_delta", Type.DOUBLE, "--delta", "PSE density threshold", t -> t.pruning().structured().delta(),
            (b, v) -> b.structured.optDelta((Double) v),
            "only reconvene with the density criterion", t -> reconvene(t)
                    && t.pruning().structured().criterion() == ReconveneSettings.Criterion.DENSITY),
    ALPHA("alpha", Type.DOUBLE, "--alpha", "structured width exponent: ceil(d^alpha * C) channels",
            t -> t.pruning().structured().alpha(), (b, v) -> b.structured.optAlpha((Double) v),
            "only reconvene and spai-layerwise", TrialKey::rebuildsWidths),
    MIN_CHANNELS("min_channels", Type.INT, "--min-channels", "fewest channels a rebuilt layer keeps",
            t -> t.pruning().structured().minChannels(), (b, v) -> b.structured.optMinChannels((Integer) v),
            "only reconvene and spai-layerwise", TrialKey::rebuildsWidths),
    RLR_REINIT("rlr_reinit", Type.STRING, "--reinit", "RLR reinitialization: rectified, affected or none",
            t -> lower(t.pruning().structured().reinit()),
            (b, v) -> b.structured.optReinit(ReconveneSettings.Reinit.parse((String) v)),
            "only reconvene", TrialKey::reconvene),
    EPOCHS("epochs", Type.INT, "--epochs", "training epochs", t -> t.training().epochs(),
            (b, v) -> b.training.optEpochs((Integer) v)),
    BATCH_SIZE("batch_size", Type.INT, "--batch", "training batch size", t -> t.training().batchSize(),
            (b, v) -> b.training.optBatchSize((Integer) v)),
    LR("lr", Type.DOUBLE, "--lr", "initial learning rate", t -> t.training().learningRate(),
            (b, v) -> b.training.optLearningRate((Double) v)),
    MOMENTUM("momentum", Type.DOUBLE, "--momentum", "SGD momentum", t -> t.training().momentum(),
            (b, v) -> b.training.optMomentum((Double) v)),
    NESTEROV("nesterov", Type.BOOLEAN, "--nesterov", "Nesterov momentum", t -> t.training().nesterov(),
            (b, v) -> b.training.optNesterov((Boolean) v)),
    WEIGHT_DECAY("weight_decay", Type.DOUBLE, "--weight-decay", "L2 weight decay", t -> t.training().weightDecay(),
            (b, v) -> b.training.optWeightDecay((Double) v)),
    SCHEDULE("schedule", Type.STRING, "--schedule", "learning-rate schedule: constant, step or cosine",
            t -> lower(t.training().schedule()),
            (b, v) -> b.training.optSchedule(LearningRateSchedule.parse((String) v))),
    SCHEDULE_GRANULARITY("schedule_granularity", Type.STRING, "--schedule-granularity",
            "how often the rate moves: batch (before every batch, so short runs anneal) or epoch (once per epoch, "
                    + "as before 0.2)", t -> lower(t.training().scheduleGranularity()),
            (b, v) -> b.training.optScheduleGranularity(LearningRateSchedule.Granularity.parse((String) v)),
            // A constant rate is the same at either granularity: one trial, one id.
            "not for the constant schedule, which is the same at either granularity",
                    t -> t.training().schedule() != LearningRateSchedule.CONSTANT),
    MAX_BATCHES("max_batches", Type.INT, "--max-batches", "cap on training batches per epoch, 0 for all",
            t -> t.training().maxBatchesPerEpoch(), (b, v) -> b.training.optMaxBatchesPerEpoch((Integer) v)),
    AUGMENT("augment", Type.BOOLEAN, "--augment", "random crop and flip while training (--no-augment: none)",
            t -> t.training().augment(), (b, v) -> b.training.optAugment((Boolean) v)),
    LATENCY_RUNS("latency_runs", Type.INT, "--latency-runs", "timed runs per latency measurement",
            t -> t.latencyRuns(), (b, v) -> b.latencyRuns = (Integer) v);

    /** The value type of a key (and of its result column). */
    public enum Type {
        STRING,
        DOUBLE,
        LONG,
        INT,
        BOOLEAN
    }

    private final String key;
    private final Type type;
    private final String option;
    private final String description;
    private final Function<TrialConfig, Object> getter;
    private final BiConsumer<TrialConfig.Builder, Object> setter;
    private final String applicability;
    private final Predicate<TrialConfig> applies;

    /** A key of every trial. */
    TrialKey(String key, Type type, String option, String description, Function<TrialConfig, Object> getter,
            BiConsumer<TrialConfig.Builder, Object> setter) {
        this(key, type, option, description, getter, setter, null, t -> true);
    }

    /** A key of the trials {@code when} accepts; {@code why} says which, for the docs and the schema. */
    TrialKey(String key, Type type, String option, String description, Function<TrialConfig, Object> getter,
            BiConsumer<TrialConfig.Builder, Object> setter, String why, Predicate<TrialConfig> when) {
        this.key = key;
        this.type = type;
        this.option = option;
        this.description = description;
        this.getter = getter;
        this.setter = setter;
        this.applicability = why;
        this.applies = when;
    }

    /**
     * Sets it in {@code b} to {@code value}: a String (trimmed and lower-cased), a Number of the
     * key's type, or a Boolean.
     *
     * @throws IllegalArgumentException naming the key if the value is not of its type, or out of range
     */
    void set(TrialConfig.Builder b, Object value) {
        Object v = switch (type) {
            // A model file's path is a URI, kept as written (canonical), not lower-cased.
            case STRING -> this == MODEL && value instanceof String f && ImportedArchitecture.isFile(f)
                    ? Uris.canonical(f)
                    : this == MODEL_DIGEST && value instanceof String d ? d
                    : value instanceof String || value instanceof Number || value instanceof Boolean
                    ? value.toString().trim().toLowerCase(Locale.ROOT) : bad(value);
            case DOUBLE -> value instanceof Number n ? (Object) n.doubleValue() : bad(value);
            case LONG -> value instanceof Number n ? (Object) n.longValue() : bad(value);
            case INT -> value instanceof Number n && n.longValue() == n.intValue() ? (Object) n.intValue() : bad(value);
            case BOOLEAN -> value instanceof Boolean ? value : bad(value);
        };
        setter.accept(b, v);
    }

    private Object bad(Object value) {
        throw new IllegalArgumentException(key + ": expected " + type.name().toLowerCase(Locale.ROOT) + ", got '"
                + value + "'");
    }

    /** The sweep key and result column. */
    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    public String description() {
        return description;
    }

    /** The long CLI option of {@code prune} and {@code train} that sets it, if one does. */
    public Optional<String> option() {
        return Optional.ofNullable(option);
    }

    /** Which trials it applies to, when not all: the reason its column is null in the others. */
    public Optional<String> applicability() {
        return Optional.ofNullable(applicability);
    }

    /** Whether it applies to {@code t}; where it does not, {@link #of(TrialConfig)} is null. */
    public boolean appliesTo(TrialConfig t) {
        return applies.test(t);
    }

    /** Its value in {@code t}, or null where it does not apply. */
    public Object of(TrialConfig t) {
        return appliesTo(t) ? getter.apply(t) : null;
    }

    /** Its default, or empty for the keys every trial must give (model, dataset, method). */
    public Optional<Object> defaultValue() {
        return Optional.ofNullable(DEFAULTS.get(this));
    }

    /** The key with sweep key or column {@code name}. */
    public static Optional<TrialKey> byKey(String name) {
        for (TrialKey k : values()) {
            if (k.key.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The key set by CLI option {@code name} ({@code --tau}), if any. */
    public static Optional<TrialKey> byOption(String name) {
        for (TrialKey k : values()) {
            if (name.equals(k.option)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a sweep file may set it as a key. Only {@code data_uri} may not: it is the
     * canonical URI of the dataset's entry in the file's {@code data} section.
     */
    public boolean sweepKey() {
        return this != DATA_URI && this != MODEL_DIGEST;
    }

    /**
     * Whether the trial id hashes it where it is null. Keys that existed when ids were first
     * written always take part ({@code scorer=null} is in a dense trial's hash); a key added later
     * takes part only where it applies, so the ids of existing trials do not change.
     */
    public boolean hashedWhenNull() {
        return this != MODEL_DIGEST;
    }

    /** Every sweep key with its default (null for the required ones), in declaration order. */
    public static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (TrialKey k : values()) {
            if (k.sweepKey()) {
                m.put(k.key, DEFAULTS.get(k));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    private static final Map<TrialKey, Object> DEFAULTS = readDefaults();

    /**
     * The defaults, read from a trial built with nothing but the builders' own defaults: the
     * single place each default is written is the library field it initialises.
     */
    private static Map<TrialKey, Object> readDefaults() {
        // reconvene so that every pruning key applies; the placeholders are not defaults
        TrialConfig t = TrialConfig.builder().setModel("").setDataset("").setDataUri("").set(METHOD, "reconvene").build();
        Map<TrialKey, Object> m = new java.util.EnumMap<>(TrialKey.class);
        for (TrialKey k : values()) {
            if (k != MODEL && k != DATASET && k != DATA_URI && k != METHOD) {
                m.put(k, k.getter.apply(t));
            }
        }
        return m;
    }

    private static boolean scored(TrialConfig t) {
        return t.pruning().method().usesScorer();
    }

    private static boolean reconvene(TrialConfig t) {
        return t.pruning().method() == PruningMethod.RECONVENE;
    }

    private static boolean rebuildsWidths(TrialConfig t) {
        return reconvene(t) || t.pruning().method() == PruningMethod.SPAI_LAYERWISE;
    }

    private static boolean masked(TrialConfig t) {
        return t.pruning().method() == PruningMethod.UPAI || rebuildsWidths(t);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
