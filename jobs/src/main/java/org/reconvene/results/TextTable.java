package org.reconvene.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rows as an aligned text table, the way the CLI prints results: nulls blank, counts with separators. */
public final class TextTable {

    private TextTable() {}

    /** {@code rows} (each as long as {@code columns}) under a header and a rule. */
    public static String render(List<String> columns, List<List<Object>> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.toArray(String[]::new));
        for (List<Object> r : rows) {
            cells.add(r.stream().map(TextTable::cell).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < cells.size(); l++) {
            String[] line = cells.get(l);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%-" + width[i] + "s", line[i]));
            }
            sb.append(text.toString().stripTrailing()).append('\n');
            if (l == 0) {
                for (int i = 0; i < line.length; i++) {
                    sb.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * One value as shown: blank for null or NaN, integers with thousands separators, other numbers
     * as given by their {@code toString} when already rounded (a {@link String}), else to four places.
     */
    public static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.4f", d);
        }
        if (v instanceof Long || v instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof scala.collection.Seq<?> s) {
            return s.size() + " items";
        }
        if (v instanceof List<?> l) {
            return l.size() + " items";
        }
        return v.toString();
    }
}
