package org.reconvene.pareto;

import java.util.Locale;

/** One objective of a search: a metric of a result row and its direction. */
public record Objective(String metric, boolean maximise) {

    /** Parses {@code max} or {@code min} for {@code metric}. */
    public static Objective parse(String metric, Object direction) {
        String d = String.valueOf(direction).trim().toLowerCase(Locale.ROOT);
        if (!d.equals("max") && !d.equals("min")) {
            throw new IllegalArgumentException("objective " + metric + ": expected max or min, got '" + direction + "'");
        }
        return new Objective(metric, d.equals("max"));
    }

    /** The value to minimise: the metric, negated when it is maximised. */
    public double minimised(double value) {
        return maximise ? -value : value;
    }
}
