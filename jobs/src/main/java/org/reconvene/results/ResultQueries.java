package org.reconvene.results;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.reconvene.metrics.Metric;

/**
 * Questions asked of a results table: any SQL over it as the view {@code results}, and the best
 * trials by a metric. Both read through {@link ResultTable#rows}, the tolerant reader: damaged or
 * foreign files are named in a warning and left out.
 */
public final class ResultQueries {

    /** The view name queries use. */
    public static final String VIEW = "results";

    /** Metrics shown beside the ranking one by {@link #best}. */
    private static final List<Metric> SHOWN = List.of(Metric.TOP1, Metric.PARAMS_NONZERO, Metric.SERIALIZED_BYTES,
            Metric.MACS_NONZERO, Metric.LATENCY_MS_B1, Metric.LATENCY_ORT_MS_B1, Metric.SIZE_RATIO, Metric.SPEEDUP_B1);
    /** Config columns always shown by {@link #best}; the others when they differ between the rows shown. */
    private static final List<String> SETTINGS = List.of("sweep_id", "trial_id", "model", "dataset", "method", "scorer",
            "sparsity", "seed");

    private ResultQueries() {}

    /** {@code sql} over the readable rows of {@code table}, registered as the view {@value #VIEW}. */
    public static Dataset<Row> sql(SparkSession spark, ResultTable table, String sql) {
        table.rows(spark, null).createOrReplaceTempView(VIEW);
        return spark.sql(sql);
    }

    /** Whether {@code metric} is better high (accuracy, ratios) or low (sizes, times, counts, loss). */
    public static boolean higherIsBetter(String metric) {
        return metric.startsWith("top") || metric.startsWith("size_ratio") || metric.startsWith("speedup")
                || metric.equals("compression");
    }

    /**
     * The {@code k} best OK trials by {@code metric} (each trial once: its latest row), filtered by
     * {@code where} (a SQL condition over the columns, or null): the trial ids, the settings that
     * tell them apart and the main metrics.
     *
     * @param descending the order, or null for the metric's own ({@link #higherIsBetter})
     * @throws IllegalArgumentException naming the metric if it is not a column
     */
    public static Dataset<Row> best(SparkSession spark, ResultTable table, String metric, String where, int k,
            Boolean descending) {
        Dataset<Row> rows = table.rows(spark, null).filter("status = 'OK'");
        if (!List.of(rows.columns()).contains(metric)) {
            throw new IllegalArgumentException("--by " + metric + " is not a column of the results; metrics: "
                    + String.join(", ", java.util.Arrays.stream(Metric.values()).map(Metric::column).toList()));
        }
        if (where != null && !where.isBlank()) {
            rows = rows.filter(where);
        }
        // one row per trial: the most recently finished (a search's last rung)
        rows = rows.withColumn("_n", functions.row_number().over(Window.partitionBy("trial_id")
                .orderBy(functions.col("finished").desc_nulls_last()))).filter("_n = 1").drop("_n");
        boolean desc = descending != null ? descending : higherIsBetter(metric);
        Column order = desc ? functions.col(metric).desc_nulls_last() : functions.col(metric).asc_nulls_last();
        Dataset<Row> top = rows.filter(functions.col(metric).isNotNull()).orderBy(order, functions.col("trial_id"))
                .limit(k).cache();
        // the k rows are few: which settings differ is decided on the driver, in one pass
        List<Row> local = top.collectAsList();
        Set<String> columns = new LinkedHashSet<>(SETTINGS);
        for (String c : ResultSchema.configColumns()) {
            if (!columns.contains(c) && local.stream().map(r -> String.valueOf((Object) r.getAs(c))).distinct().count() > 1) {
                columns.add(c);
            }
        }
        columns.add(metric);
        for (Metric m : SHOWN) {
            columns.add(m.column());
        }
        List<Column> select = new ArrayList<>();
        for (String c : columns) {
            select.add(functions.col(c));
        }
        return top.select(select.toArray(new Column[0]));
    }

    /** A result as an aligned text table ({@link TextTable}), at most {@code maxRows} rows. */
    public static String text(Dataset<Row> rows, int maxRows) {
        List<Row> taken = rows.limit(maxRows + 1).collectAsList();
        List<List<Object>> cells = new ArrayList<>();
        for (Row r : taken.subList(0, Math.min(maxRows, taken.size()))) {
            List<Object> line = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                line.add(r.get(i));
            }
            cells.add(line);
        }
        String table = TextTable.render(List.of(rows.columns()), cells);
        return taken.size() > maxRows ? table + "(first " + maxRows + " rows shown)\n" : table;
    }
}
