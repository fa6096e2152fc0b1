package org.reconvene.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.reconvene.sweep.SweepSpec;

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
     * Every row under {@code uri} (a plain path or a Hadoop URI), FAILED rows included.
     *
     * @throws IllegalArgumentException if nothing exists at {@code uri}
     */
    public static Dataset<Row> load(SparkSession spark, String uri) {
        String resolved = SweepSpec.resolveUri(uri);
        Path p = new Path(resolved);
        try {
            if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
                throw new IllegalArgumentException("no results at " + resolved);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resolved, e);
        }
        // Rows written by older versions may lack newer columns: merge the files' schemas.
        return spark.read().option("mergeSchema", "true").parquet(resolved);
    }

    /**
     * The one row whose {@code trial_id} is {@code id} or starts with it (a prefix of a few
     * characters is enough to name a trial, as with git commits).
     *
     * @throws IllegalArgumentException if no trial or more than one matches
     */
    public static Row trial(Dataset<Row> results, String id) {
        List<Row> rows = results.filter(functions.col("trial_id").startsWith(id)).limit(2).collectAsList();
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
