package org.reconvene.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.reconvene.results.ResultSchema;
import org.reconvene.results.TextTable;

/**
 * The table a sweep ends with: one line per trial, its main settings (and the knobs that differ
 * between its trials), status and main metrics. Built from the rows the results scan already read,
 * without Spark, so a {@code --resume} with nothing to run answers in seconds.
 */
final class SweepTable {

    /** Config columns always in the table; other config columns appear when their value differs between rows. */
    static final List<String> SHOWN = List.of("model", "dataset", "method", "scorer", "sparsity", "seed");
    private static final List<String> ORDER = List.of("model", "dataset", "sparsity", "method", "scorer", "seed");

    private SweepTable() {}

    /** A column of the table: its header and how it is computed from a row. */
    private record Column(String header, Function<Map<String, Object>, Object> value) {}

    /** The table of {@code rows} (a row's scalar values by column). */
    static String render(List<Map<String, Object>> rows) {
        List<Column> columns = new ArrayList<>();
        for (String c : SHOWN) {
            columns.add(new Column(c, r -> r.get(c)));
        }
        for (String c : varyingKnobs(rows)) {
            columns.add(new Column(c, r -> r.get(c)));
        }
        columns.add(new Column("status", r -> r.get("status")));
        columns.add(new Column("top1", r -> round(r.get("top1"), 4)));
        columns.add(new Column("params_nonzero", r -> r.get("params_nonzero")));
        columns.add(new Column("size_mb", r -> r.get("serialized_bytes") == null ? null
                : round(((Number) r.get("serialized_bytes")).doubleValue() / 1e6, 2)));
        columns.add(new Column("lat_b1_ms", r -> round(r.get("latency_ms_b1"), 2)));
        columns.add(new Column("size_ratio", r -> round(r.get("size_ratio"), 2)));
        columns.add(new Column("speedup_b1", r -> round(r.get("speedup_b1"), 2)));
        columns.add(new Column("prune_ms", r -> r.get("prune_ms")));
        columns.add(new Column("error_class", r -> r.get("error_class")));
        List<Map<String, Object>> sorted = new ArrayList<>(rows);
        Comparator<Map<String, Object>> byOrder = null;
        for (String c : ORDER) {
            Comparator<Map<String, Object>> next = Comparator.comparing((Map<String, Object> r) -> key(r.get(c)),
                    Comparator.nullsFirst(Comparator.<String>naturalOrder()));
            byOrder = byOrder == null ? next : byOrder.thenComparing(next);
        }
        sorted.sort(byOrder);
        List<List<Object>> cells = new ArrayList<>();
        for (Map<String, Object> r : sorted) {
            List<Object> line = new ArrayList<>();
            for (Column c : columns) {
                line.add(c.value().apply(r));
            }
            cells.add(line);
        }
        return TextTable.render(columns.stream().map(Column::header).toList(), cells);
    }

    /** The config columns, beyond {@link #SHOWN}, with more than one non-null value among the rows. */
    static List<String> varyingKnobs(List<Map<String, Object>> rows) {
        List<String> out = new ArrayList<>();
        for (String c : ResultSchema.configColumns()) {
            if (SHOWN.contains(c) || c.equals("data_uri")) {
                continue;
            }
            if (rows.stream().map(r -> r.get(c)).filter(Objects::nonNull).distinct().count() > 1) {
                out.add(c);
            }
        }
        return out;
    }

    private static String key(Object v) {
        if (v == null) {
            return null;
        }
        // numbers sort by value, whatever their digits
        return v instanceof Number n ? String.format("%020.6f", n.doubleValue() + 1e12) : v.toString();
    }

    private static Object round(Object v, int places) {
        if (v == null) {
            return null;
        }
        double d = ((Number) v).doubleValue();
        return Double.isNaN(d) ? null : String.format(java.util.Locale.ROOT, "%." + places + "f", d);
    }
}
