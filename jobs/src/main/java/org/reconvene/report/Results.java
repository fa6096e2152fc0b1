package org.reconvene.report;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.reconvene.results.ResultTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading a results table back: the rows of one or many sweeps from a directory or Hadoop URI,
 * one trial by its id, and any query result rendered as a Markdown table.
 *
 * <p>The report job, the CLI and the notebooks all come through here, so a missing results
 * directory or an unknown trial id reads the same everywhere: an {@link IllegalArgumentException}
 * naming the URI or the id.
 */
public final class Results {

    private Results() {}

    /**
     * Every readable row under {@code uri} (a plain path or a Hadoop URI), FAILED rows included.
     * Files that are not readable result rows (truncated, foreign, empty) are left out, each
     * named in one warning line; {@code bin/reconvene results check} lists them.
     *
     * @throws IllegalArgumentException if nothing exists at {@code uri} or no row is readable
     */
    public static Dataset<Row> load(SparkSession spark, String uri) {
        return ResultTable.at(uri, spark.sparkContext().hadoopConfiguration()).rows(spark, null);
    }

    /**
     * One row per trial id: a trial that two sweeps share (same config, same id) is one result,
     * so averages over seeds count it once. The most recently finished row is kept.
     */
    public static Dataset<Row> distinctTrials(Dataset<Row> rows) {
        org.apache.spark.sql.expressions.WindowSpec w = org.apache.spark.sql.expressions.Window
                .partitionBy("trial_id").orderBy(functions.col("finished").desc_nulls_last(), functions.col("sweep_id"));
        return rows.withColumn("_rank", functions.row_number().over(w)).filter("_rank = 1").drop("_rank");
    }

    /**
     * The one row whose {@code trial_id} is {@code id} or starts with it (a prefix of a few
     * characters is enough to name a trial, as with git commits).
     *
     * @throws IllegalArgumentException if no trial or more than one matches
     */
    public static Row trial(Dataset<Row> results, String id) {
        List<Row> rows = distinctTrials(results.filter(functions.col("trial_id").startsWith(id))).limit(2).collectAsList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no trial with id " + id);
        }
        if (rows.size() > 1) {
            throw new IllegalArgumentException("trial id " + id + " is ambiguous: " + rows.get(0).getAs("trial_id")
                    + ", " + rows.get(1).getAs("trial_id") + ", ...");
        }
        return rows.get(0);
    }

    /**
     * The first {@code maxRows} rows of a query result as a Markdown table: nulls blank, whole
     * numbers of 1,000 or more (averaged counts) without decimals, other doubles with four,
     * nested values (layers, history) as their element count.
     */
    public static String markdown(Dataset<Row> rows, int maxRows) {
        String[] cols = rows.columns();
        StringBuilder md = new StringBuilder("|");
        for (String c : cols) {
            md.append(' ').append(c).append(" |");
        }
        md.append("\n|").append(" --- |".repeat(cols.length)).append('\n');
        List<Row> taken = rows.limit(maxRows + 1).collectAsList();
        for (Row r : taken.subList(0, Math.min(maxRows, taken.size()))) {
            md.append('|');
            for (int i = 0; i < cols.length; i++) {
                md.append(' ').append(cell(r.get(i)).replace("|", "\\|")).append(" |");
            }
            md.append('\n');
        }
        if (taken.size() > maxRows) {
            md.append("\n(first ").append(maxRows).append(" rows shown)\n");
        }
        return md.toString();
    }

    static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return "";
            }
            boolean count = Math.abs(d) >= 1000 && d == Math.rint(d);
            return String.format(Locale.ROOT, count ? "%.0f" : "%.4f", d);
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
