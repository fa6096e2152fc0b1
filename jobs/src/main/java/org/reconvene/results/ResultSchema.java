package org.reconvene.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.reconvene.metrics.Metric;
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
    public enum Kind {
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

    /** Metric columns (docs/METHOD.md section 7): one per {@link Metric}, in its declaration order. */
    static final Map<String, Kind> METRICS = metricColumnsFromDeclarations();

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
    static final Map<String, String> NULLABLE = nullableColumns(
            "error_class", "set only for FAILED rows",
            "error_message", "set only for FAILED and INFEASIBLE rows",
            "rung", "only rows of a search: the rung whose training the row reports (0 = the first)");

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

    /** The type of scalar column {@code name}, or null where there is none. */
    public static Kind kind(String name) {
        return SCALARS.get(name);
    }

    /** The names of every scalar column, in row order. */
    public static List<String> scalarColumns() {
        return List.copyOf(SCALARS.keySet());
    }

    /** The columns an OK row may leave null, each with the reason (every other one is filled in every OK row). */
    public static Map<String, String> nullableInOkRows() {
        return NULLABLE;
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
        return switch (kind) {
            case STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
            case DOUBLE -> Types.optional(PrimitiveTypeName.DOUBLE).named(name);
            case LONG -> Types.optional(PrimitiveTypeName.INT64).named(name);
            case INT -> Types.optional(PrimitiveTypeName.INT32).named(name);
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(name);
        };
    }

    private static Map<String, Kind> configColumnsFromKeys() {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (TrialKey k : TrialKey.values()) {
            m.put(k.key(), Kind.valueOf(k.type().name()));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** {@code pairs}, every config column that applies to some trials only and every metric that may be null, with their reasons. */
    private static Map<String, String> nullableColumns(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (TrialKey k : TrialKey.values()) {
            k.applicability().ifPresent(why -> m.put(k.key(), why));
        }
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        for (Metric metric : Metric.values()) {
            metric.nullable().ifPresent(why -> m.put(metric.column(), why));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, Kind> metricColumnsFromDeclarations() {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (Metric metric : Metric.values()) {
            m.put(metric.column(), switch (metric.type()) {
                case LONG -> Kind.LONG;
                case DOUBLE -> Kind.DOUBLE;
            });
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Why a file with {@code schema} cannot be read with the other rows, or null: a declared column
     * stored with another type (a foreign writer's INT32 {@code seed}, say) would make Spark refuse
     * to merge the table's schemas, so every reader names the file and skips it instead.
     */
    static String conflict(MessageType schema) {
        for (Type field : schema.getFields()) {
            Kind kind = SCALARS.get(field.getName());
            if (kind == null) {
                continue;
            }
            Type declared = primitive(field.getName(), kind);
            boolean same = field.isPrimitive()
                    && field.asPrimitiveType().getPrimitiveTypeName() == declared.asPrimitiveType().getPrimitiveTypeName();
            if (!same) {
                return "column " + field.getName() + " is " + describe(field) + ", declared " + describe(declared);
            }
        }
        return null;
    }

    private static String describe(Type t) {
        return t.isPrimitive() ? t.asPrimitiveType().getPrimitiveTypeName().name() : "a group";
    }

    private static Map<String, Kind> columns(Object... pairs) {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Kind) pairs[i + 1]);
        }
        return m;
    }
}
