package org.reconvene.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.reconvene.trial.TrialKey;

/**
 * The columns of a result row (docs/METHOD.md section 8) and their Parquet types: one flat, typed
 * column per config field, metric and provenance field, and two lists of structs for the
 * per-layer detail and the per-epoch history.
 *
 * <p>Every scalar column is optional, so a FAILED trial, or a metric that does not apply (the
 * size ratio of a dense trial), is a null rather than a missing column: every row of every sweep
 * has the same schema and Spark SQL reads them as one table.
 */
public final class ResultSchema {

    /** The value type of a scalar column. */
    enum Kind {
        STRING,
        DOUBLE,
        LONG,
        INT,
        BOOLEAN
    }

    /** Row identity and outcome. */
    static final Map<String, Kind> HEAD = columns(
            "sweep_id", Kind.STRING, "trial_id", Kind.STRING, "status", Kind.STRING,
            "error_class", Kind.STRING, "error_message", Kind.STRING, "rung", Kind.INT);

    /** Config columns: one per {@link TrialKey}, in its declaration order. */
    static final Map<String, Kind> CONFIG = configColumnsFromKeys();

    /** Metric columns (docs/METHOD.md section 7). */
    static final Map<String, Kind> METRICS = columns(
            "top1", Kind.DOUBLE, "top1_best", Kind.DOUBLE, "top5", Kind.DOUBLE, "loss", Kind.DOUBLE,
            "prune_ms", Kind.LONG, "train_ms", Kind.LONG, "eval_ms", Kind.LONG, "measure_ms", Kind.LONG,
            "trial_ms", Kind.LONG, "params", Kind.LONG, "params_nonzero", Kind.LONG,
            "prunable", Kind.LONG, "density", Kind.DOUBLE, "density_reached", Kind.DOUBLE,
            "compression", Kind.DOUBLE, "macs", Kind.LONG, "macs_nonzero", Kind.LONG,
            "serialized_bytes", Kind.LONG, "latency_ms_b1", Kind.DOUBLE, "latency_ms_b64", Kind.DOUBLE,
            "upai_params_nonzero", Kind.LONG, "upai_serialized_bytes", Kind.LONG, "upai_macs_nonzero", Kind.LONG,
            "upai_latency_ms_b1", Kind.DOUBLE, "upai_latency_ms_b64", Kind.DOUBLE, "size_ratio", Kind.DOUBLE,
            "speedup_b1", Kind.DOUBLE, "speedup_b64", Kind.DOUBLE,
            "onnx_bytes", Kind.LONG, "onnx_gzip_bytes", Kind.LONG, "latency_ort_ms_b1", Kind.DOUBLE,
            "latency_ort_ms_b64", Kind.DOUBLE, "speedup_ort_b1", Kind.DOUBLE, "speedup_ort_b64", Kind.DOUBLE,
            "size_ratio_onnx", Kind.DOUBLE, "size_ratio_onnx_gzip", Kind.DOUBLE);

    /** Provenance columns, as in {@link org.reconvene.provenance.Provenance#toMap()}. */
    static final Map<String, Kind> PROVENANCE = columns(
            "project_version", Kind.STRING, "git_commit", Kind.STRING, "djl_version", Kind.STRING,
            "pytorch_version", Kind.STRING, "java_version", Kind.STRING, "device", Kind.STRING, "host", Kind.STRING,
            "executor", Kind.STRING, "threads", Kind.INT, "kernel_path", Kind.STRING, "started", Kind.STRING,
            "finished", Kind.STRING);

    /** Fields of one element of the {@code layers} list. */
    static final Map<String, Kind> LAYER = columns(
            "name", Kind.STRING, "weights", Kind.LONG, "nonzero", Kind.LONG, "density", Kind.DOUBLE,
            "width_before", Kind.INT, "width_after", Kind.INT, "sensitivity", Kind.DOUBLE, "rectified", Kind.BOOLEAN);

    /** Fields of one element of the {@code history} list. */
    static final Map<String, Kind> EPOCH = columns(
            "epoch", Kind.INT, "lr", Kind.DOUBLE, "train_loss", Kind.DOUBLE, "train_top1", Kind.DOUBLE,
            "test_loss", Kind.DOUBLE, "test_top1", Kind.DOUBLE, "test_top5", Kind.DOUBLE, "ms", Kind.LONG);

    /** Every scalar column, in row order; declared before {@link #SCHEMA}, which is built from it. */
    private static final Map<String, Kind> SCALARS = scalarsInOrder();

    /**
     * The columns an OK row may leave null, each with the reason; every other column is filled in
     * every OK row (a test checks this on a real sweep's rows). Config fields that do not apply to
     * a trial's method are null so that such trials share one id ({@code TrialConfig.toMap}).
     */
    static final Map<String, String> NULLABLE = withConfigApplicability(
            "error_class", "set only for FAILED rows",
            "error_message", "set only for FAILED and INFEASIBLE rows",
            "rung", "only rows of a search: the rung whose training the row reports (0 = the first)",
            "top5", "only datasets of more than 10 classes, where top-5 says more than top-1",
            "upai_params_nonzero", "measured only against the unstructured counterpart built in the same trial (reconvene)",
            "upai_serialized_bytes", "as upai_params_nonzero",
            "upai_macs_nonzero", "as upai_params_nonzero",
            "upai_latency_ms_b1", "as upai_params_nonzero",
            "upai_latency_ms_b64", "as upai_params_nonzero",
            "size_ratio", "as upai_params_nonzero",
            "speedup_b1", "as upai_params_nonzero",
            "speedup_b64", "as upai_params_nonzero",
            "speedup_ort_b1", "as upai_params_nonzero",
            "speedup_ort_b64", "as upai_params_nonzero",
            "size_ratio_onnx", "as upai_params_nonzero",
            "size_ratio_onnx_gzip", "as upai_params_nonzero");

    /** The Parquet schema of a row. */
    static final MessageType SCHEMA = build();

    private ResultSchema() {}

    /** The names of the config columns, in row order. */
    public static List<String> configColumns() {
        return List.copyOf(CONFIG.keySet());
    }

    /** The names of the metric columns, in row order. */
    public static List<String> metricColumns() {
        return List.copyOf(METRICS.keySet());
    }

    /** The names of the provenance columns, in row order. */
    public static List<String> provenanceColumns() {
        return List.copyOf(PROVENANCE.keySet());
    }

    /** Every scalar column in row order. */
    static Map<String, Kind> scalars() {
        return SCALARS;
    }

    /**
     * Every scalar column with its Spark SQL type name ({@code string}, {@code double},
     * {@code bigint}, {@code int}, {@code boolean}), so readers can give rows of older versions
     * the columns added since, as nulls.
     */
    public static Map<String, String> sqlTypes() {
        Map<String, String> m = new LinkedHashMap<>();
        SCALARS.forEach((k, v) -> m.put(k, switch (v) {
            case STRING -> "string";
            case DOUBLE -> "double";
            case LONG -> "bigint";
            case INT -> "int";
            case BOOLEAN -> "boolean";
        }));
        return m;
    }

    private static Map<String, Kind> scalarsInOrder() {
        Map<String, Kind> all = new LinkedHashMap<>(HEAD);
        all.putAll(CONFIG);
        all.putAll(METRICS);
        all.putAll(PROVENANCE);
        return java.util.Collections.unmodifiableMap(all);
    }

    private static MessageType build() {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (Map.Entry<String, Kind> e : scalars().entrySet()) {
            b.addField(primitive(e.getKey(), e.getValue()));
        }
        b.addField(list("layers", LAYER));
        b.addField(list("history", EPOCH));
        return b.named("trial");
    }

    private static Type list(String name, Map<String, Kind> fields) {
        List<Type> types = new ArrayList<>();
        for (Map.Entry<String, Kind> e : fields.entrySet()) {
            types.add(primitive(e.getKey(), e.getValue()));
        }
        // The standard three-level LIST layout, which Spark, pandas and DuckDB all read as a list.
        return Types.optionalGroup().as(LogicalTypeAnnotation.listType())
                .addField(Types.repeatedGroup().addField(Types.optionalGroup().addFields(types.toArray(new Type[0]))
                        .named("element")).named("list"))
                .named(name);
    }

    private static Type primitive(String name, Kind kind) {
        switch (kind) {
            case STRING:
                return Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
            case DOUBLE:
                return Types.optional(PrimitiveTypeName.DOUBLE).named(name);
            case LONG:
                return Types.optional(PrimitiveTypeName.INT64).named(name);
            case INT:
                return Types.optional(PrimitiveTypeName.INT32).named(name);
            default:
                return Types.optional(PrimitiveTypeName.BOOLEAN).named(name);
        }
    }

    private static Map<String, Kind> configColumnsFromKeys() {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (TrialKey k : TrialKey.values()) {
            m.put(k.key(), Kind.valueOf(k.type().name()));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** {@code pairs}, then every config column that applies to some trials only, with the key's reason. */
    private static Map<String, String> withConfigApplicability(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (TrialKey k : TrialKey.values()) {
            k.applicability().ifPresent(why -> m.put(k.key(), why));
        }
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, Kind> columns(Object... pairs) {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Kind) pairs[i + 1]);
        }
        return m;
    }
}
