package org.reconvene.metrics;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values of declared {@link Metric}s, each of its declared type: what producers fill and result
 * rows, summaries and searches read. A value of the wrong type is refused when it is put, naming
 * the metric.
 */
public final class MetricValues implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    private final EnumMap<Metric, Object> values = new EnumMap<>(Metric.class);

    /** An empty set of values. */
    public MetricValues() {}

    /** Sets a {@link Metric.Type#LONG} metric. */
    public MetricValues put(Metric m, long value) {
        require(m, Metric.Type.LONG);
        values.put(m, value);
        return this;
    }

    /** Sets a {@link Metric.Type#DOUBLE} metric. */
    public MetricValues put(Metric m, double value) {
        require(m, Metric.Type.DOUBLE);
        values.put(m, value);
        return this;
    }

    /** Sets a {@link Metric.Type#DOUBLE} metric, or leaves it unset for null. */
    public MetricValues putIfPresent(Metric m, Double value) {
        if (value != null) {
            put(m, value.doubleValue());
        }
        return this;
    }

    /** Adds every value of {@code other}, replacing those set here. */
    public MetricValues putAll(MetricValues other) {
        values.putAll(other.values);
        return this;
    }

    /** The value of {@code m} (a Long or a Double), or null when it is not set. */
    public Object get(Metric m) {
        return values.get(m);
    }

    /** The value of {@code m} as a double, or NaN when it is not set. */
    public double number(Metric m) {
        Object v = values.get(m);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /** Whether {@code m} is set. */
    public boolean has(Metric m) {
        return values.containsKey(m);
    }

    /** The values known before training ({@link Metric#beforeTraining()}), as a later search rung carries them. */
    public MetricValues beforeTraining() {
        MetricValues out = new MetricValues();
        values.forEach((m, v) -> {
            if (m.beforeTraining()) {
                out.values.put(m, v);
            }
        });
        return out;
    }

    /**
     * Values read back from a result row or summary, keyed by column: numbers are converted to
     * each metric's type, keys that are not metrics are ignored, nulls are left unset.
     */
    public static MetricValues fromColumns(Map<String, ?> row) {
        MetricValues out = new MetricValues();
        for (Metric m : Metric.values()) {
            Object v = row.get(m.column());
            if (v instanceof Number n) {
                out.values.put(m, m.type() == Metric.Type.LONG ? (Object) n.longValue() : (Object) n.doubleValue());
            }
        }
        return out;
    }

    /** The values by column, in declaration order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k.column(), v));
        return Collections.unmodifiableMap(m);
    }

    private static void require(Metric m, Metric.Type type) {
        if (m.type() != type) {
            throw new IllegalArgumentException("metric " + m.column() + " is declared " + m.type() + ", not " + type);
        }
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
