package org.reconvene.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.reconvene.provenance.Provenance;
import org.reconvene.results.ResultSchema;

/**
 * Why two trials' results differ: the config fields and provenance fields in which they differ,
 * and every metric side by side with its change, plus their per-epoch test accuracy and
 * per-layer widths.
 *
 * <p>Read the config differences first (a different seed or method explains most gaps), then the
 * provenance (another commit, library version, host or thread count explains the rest). The
 * start and finish times always differ and are listed last.
 */
public final class TrialComparison {

    /** A field that differs, with trial a's and trial b's values. */
    public record Field(String name, Object a, Object b) {}

    /** A metric of both trials; {@code a} or {@code b} is null where a trial lacks it. */
    public record Metric(String name, Double a, Double b) {

        /** {@code b - a}, or null when either is missing. */
        public Double change() {
            return a == null || b == null ? null : b - a;
        }

        /** {@code b / a}, or null when either is missing or a is zero. */
        public Double ratio() {
            return a == null || b == null || a == 0 ? null : b / a;
        }
    }

    private static final Set<String> TIMES = Set.of("started", "finished");

    private final Map<String, Object> a;
    private final Map<String, Object> b;
    private final Row rowA;
    private final Row rowB;

    private TrialComparison(Row rowA, Row rowB) {
        this.rowA = rowA;
        this.rowB = rowB;
        this.a = flat(rowA);
        this.b = flat(rowB);
    }

    /** Compares trial {@code a} with trial {@code b} (rows of a results table). */
    public static TrialComparison of(Row a, Row b) {
        return new TrialComparison(Objects.requireNonNull(a, "a"), Objects.requireNonNull(b, "b"));
    }

    /** The config fields whose values differ, in row order. */
    public List<Field> configDifferences() {
        return differences(ResultSchema.configColumns());
    }

    /** The provenance fields whose values differ, in row order, start and finish times last. */
    public List<Field> provenanceDifferences() {
        List<Field> out = differences(ResultSchema.provenanceColumns());
        out.sort((x, y) -> Boolean.compare(TIMES.contains(x.name()), TIMES.contains(y.name())));
        return out;
    }

    /** Every numeric metric that either trial has, in row order. */
    public List<Metric> metrics() {
        List<Metric> out = new ArrayList<>();
        for (String m : ResultSchema.metricColumns()) {
            Double x = number(a.get(m));
            Double y = number(b.get(m));
            if (x != null || y != null) {
                out.add(new Metric(m, x, y));
            }
        }
        return out;
    }

    /** One line: the two trials and the names of the fields in which they differ. */
    public String summary() {
        List<String> cfg = configDifferences().stream().map(Field::name).toList();
        List<String> prov = provenanceDifferences().stream().map(Field::name).filter(n -> !TIMES.contains(n)).toList();
        return String.format(Locale.ROOT, "%s (%s) vs %s (%s): config differs in %s; provenance differs in %s",
                a.get("trial_id"), a.get("method"), b.get("trial_id"), b.get("method"),
                cfg.isEmpty() ? "nothing" : String.join(", ", cfg),
                prov.isEmpty() ? "nothing but the times" : String.join(", ", prov));
    }

    /** The comparison as Markdown: summary, config, provenance, metrics, history and layers. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("**").append(summary()).append("**\n\n");
        md.append("| | a | b |\n| --- | --- | --- |\n");
        for (String k : List.of("trial_id", "sweep_id", "status", "error_message")) {
            if (a.get(k) != null || b.get(k) != null) {
                md.append(row(k, cellOf(a.get(k)), cellOf(b.get(k))));
            }
        }
        md.append("\n### Config differences\n\n");
        fields(md, configDifferences());
        md.append("\n### Provenance differences\n\n");
        fields(md, provenanceDifferences());
        md.append("\n### Metrics\n\n| metric | a | b | b - a | b / a |\n| --- | --- | --- | --- | --- |\n");
        for (Metric m : metrics()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", m.name(), cellOf(m.a()), cellOf(m.b()),
                    cellOf(m.change()), cellOf(m.ratio())));
        }
        Map<Object, Object[]> epochs = byKey("history", "epoch", "test_top1");
        if (!epochs.isEmpty()) {
            md.append("\n### Test top-1 per epoch\n\n| epoch | a | b |\n| --- | --- | --- |\n");
            epochs.forEach((e, v) -> md.append(row(cellOf(e), cellOf(v[0]), cellOf(v[1]))));
        }
        Map<Object, Object[]> widths = byKey("layers", "name", "width_after");
        if (!widths.isEmpty()) {
            Map<Object, Object[]> density = byKey("layers", "name", "density");
            md.append("\n### Layers\n\n| layer | width a | width b | density a | density b |\n"
                    + "| --- | --- | --- | --- | --- |\n");
            widths.forEach((n, w) -> md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", n,
                    cellOf(w[0]), cellOf(w[1]), cellOf(density.get(n)[0]), cellOf(density.get(n)[1]))));
        }
        return md.toString();
    }

    private List<Field> differences(List<String> columns) {
        Map<String, Object> x = new LinkedHashMap<>();
        Map<String, Object> y = new LinkedHashMap<>();
        for (String c : columns) {
            x.put(c, a.get(c));
            y.put(c, b.get(c));
        }
        Set<String> differing = Provenance.diff(x, y);
        List<Field> out = new ArrayList<>();
        for (String c : columns) {
            if (differing.contains(c)) {
                out.add(new Field(c, a.get(c), b.get(c)));
            }
        }
        return out;
    }

    /** For a nested list column: key field to {a's value, b's value}, in first-seen order. */
    private Map<Object, Object[]> byKey(String list, String key, String value) {
        Map<Object, Object[]> out = new LinkedHashMap<>();
        Row[] rows = {rowA, rowB};
        for (int side = 0; side < 2; side++) {
            Row r = rows[side];
            if (!List.of(r.schema().fieldNames()).contains(list) || r.isNullAt(r.fieldIndex(list))) {
                continue;
            }
            for (Row e : r.<Row>getList(r.fieldIndex(list))) {
                out.computeIfAbsent(e.getAs(key), k -> new Object[2])[side] = e.getAs(value);
            }
        }
        return out;
    }

    private static void fields(StringBuilder md, List<Field> fields) {
        if (fields.isEmpty()) {
            md.append("none\n");
            return;
        }
        md.append("| field | a | b |\n| --- | --- | --- |\n");
        for (Field f : fields) {
            md.append(row(f.name(), cellOf(f.a()), cellOf(f.b())));
        }
    }

    private static String row(String k, String x, String y) {
        return "| " + k + " | " + x + " | " + y + " |\n";
    }

    private static String cellOf(Object v) {
        return Results.cell(v).replace("|", "\\|");
    }

    private static Double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : null;
    }

    private static Map<String, Object> flat(Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        String[] names = r.schema().fieldNames();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], r.get(i));
        }
        return m;
    }
}
