package org.reconvene.metrics;

import java.util.Optional;

/**
 * Every metric of a trial, declared once (docs/METHOD.md section 7): its name (the result column
 * and the key of summaries), its type, whether it is known before training, and why it may be
 * null in a finished trial's row.
 *
 * <p>Producers write through these constants into {@link MetricValues}, so a misspelled or
 * undeclared metric does not compile; the result schema, a search's constraints, the metrics a
 * later search rung carries from its first, and the report derive from the same declarations.
 * Declaration order is column order.
 */
public enum Metric {
    TOP1("top1", Type.DOUBLE, false, null),
    TOP1_BEST("top1_best", Type.DOUBLE, false, null),
    TOP5("top5", Type.DOUBLE, false, "only datasets of more than 10 classes, where top-5 says more than top-1"),
    LOSS("loss", Type.DOUBLE, false, null),
    PRUNE_MS("prune_ms", Type.LONG, true, null),
    TRAIN_MS("train_ms", Type.LONG, false, null),
    EVAL_MS("eval_ms", Type.LONG, false, null),
    MEASURE_MS("measure_ms", Type.LONG, true, null),
    TRIAL_MS("trial_ms", Type.LONG, false, null),
    PARAMS("params", Type.LONG, true, null),
    PARAMS_NONZERO("params_nonzero", Type.LONG, true, null),
    PRUNABLE("prunable", Type.LONG, true, null),
    DENSITY("density", Type.DOUBLE, true, null),
    DENSITY_REACHED("density_reached", Type.DOUBLE, true, null),
    COMPRESSION("compression", Type.DOUBLE, true, null),
    MACS("macs", Type.LONG, true, null),
    MACS_NONZERO("macs_nonzero", Type.LONG, true, null),
    SERIALIZED_BYTES("serialized_bytes", Type.LONG, true, null),
    LATENCY_MS_B1("latency_ms_b1", Type.DOUBLE, true, null),
    LATENCY_MS_B64("latency_ms_b64", Type.DOUBLE, true, null),
    UPAI_PARAMS_NONZERO("upai_params_nonzero", Type.LONG, true, Reasons.COUNTERPART),
    UPAI_SERIALIZED_BYTES("upai_serialized_bytes", Type.LONG, true, Reasons.COUNTERPART),
    UPAI_MACS_NONZERO("upai_macs_nonzero", Type.LONG, true, Reasons.COUNTERPART),
    UPAI_LATENCY_MS_B1("upai_latency_ms_b1", Type.DOUBLE, true, Reasons.COUNTERPART),
    UPAI_LATENCY_MS_B64("upai_latency_ms_b64", Type.DOUBLE, true, Reasons.COUNTERPART),
    SIZE_RATIO("size_ratio", Type.DOUBLE, true, Reasons.COUNTERPART),
    SPEEDUP_B1("speedup_b1", Type.DOUBLE, true, Reasons.COUNTERPART),
    SPEEDUP_B64("speedup_b64", Type.DOUBLE, true, Reasons.COUNTERPART),
    ONNX_BYTES("onnx_bytes", Type.LONG, true, null),
    ONNX_GZIP_BYTES("onnx_gzip_bytes", Type.LONG, true, null),
    LATENCY_ORT_MS_B1("latency_ort_ms_b1", Type.DOUBLE, true, null),
    LATENCY_ORT_MS_B64("latency_ort_ms_b64", Type.DOUBLE, true, null),
    SPEEDUP_ORT_B1("speedup_ort_b1", Type.DOUBLE, true, Reasons.COUNTERPART),
    SPEEDUP_ORT_B64("speedup_ort_b64", Type.DOUBLE, true, Reasons.COUNTERPART),
    SIZE_RATIO_ONNX("size_ratio_onnx", Type.DOUBLE, true, Reasons.COUNTERPART),
    SIZE_RATIO_ONNX_GZIP("size_ratio_onnx_gzip", Type.DOUBLE, true, Reasons.COUNTERPART),
    ONNX_INT8_BYTES("onnx_int8_bytes", Type.LONG, true, Reasons.INT8),
    ONNX_INT8_GZIP_BYTES("onnx_int8_gzip_bytes", Type.LONG, true, Reasons.INT8),
    LATENCY_ORT_INT8_MS_B1("latency_ort_int8_ms_b1", Type.DOUBLE, true, Reasons.INT8),
    LATENCY_ORT_INT8_MS_B64("latency_ort_int8_ms_b64", Type.DOUBLE, true, Reasons.INT8),
    TOP1_INT8("top1_int8", Type.DOUBLE, false, Reasons.INT8),
    SIZE_RATIO_INT8("size_ratio_int8", Type.DOUBLE, true, Reasons.INT8_COUNTERPART),
    SPEEDUP_ORT_INT8_B1("speedup_ort_int8_b1", Type.DOUBLE, true, Reasons.INT8_COUNTERPART);

    /** The value type of a metric (and of its result column). */
    public enum Type {
        LONG,
        DOUBLE
    }

    /** Reasons shared by several metrics. */
    private static final class Reasons {
        static final String COUNTERPART =
                "measured only against the unstructured counterpart built in the same trial (reconvene)";
        static final String INT8 = "only trials whose sweep exports int8 files (export: onnx-int8)";
        static final String INT8_COUNTERPART = "only reconvene trials whose sweep exports int8 files (export: "
                + "onnx-int8), against the counterpart's int8 file";
    }

    private final String column;
    private final Type type;
    private final boolean beforeTraining;
    private final String nullable;

    Metric(String column, Type type, boolean beforeTraining, String nullable) {
        this.column = column;
        this.type = type;
        this.beforeTraining = beforeTraining;
        this.nullable = nullable;
    }

    /** The result column and summary key. */
    public String column() {
        return column;
    }

    public Type type() {
        return type;
    }

    /**
     * Whether it is known once the network is pruned and measured, before any training: what a
     * search's constraints may bound, and what a later search rung carries from its first.
     */
    public boolean beforeTraining() {
        return beforeTraining;
    }

    /** Why a finished (OK) trial may leave it null; empty when every OK row has it. */
    public Optional<String> nullable() {
        return Optional.ofNullable(nullable);
    }

    /** The metric with column {@code name}, if one is declared. */
    public static Optional<Metric> byColumn(String name) {
        for (Metric m : values()) {
            if (m.column.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return column;
    }
}
