package org.reconvene.sweep;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a results table with DuckDB, a Parquet reader independent of Spark and of this project,
 * the way a user's own tooling would: every {@code *.parquet} file below the root. DuckDB fails
 * on any unreadable file, so a successful read also says that every visible file is whole.
 */
final class DuckDbRows {

    private DuckDbRows() {}

    /** trial id to the number of rows holding it, over every {@code *.parquet} file below {@code root}. */
    static Map<String, Integer> rowsPerTrial(Path root) throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT trial_id, count(*) FROM read_parquet('"
                        + root.toString().replace("'", "''") + "/**/*.parquet', union_by_name = true) GROUP BY trial_id")) {
            while (r.next()) {
                out.put(r.getString(1), r.getInt(2));
            }
        }
        return out;
    }

    /** Writes a Parquet file that is not a result row (what a user's own export might leave). */
    static void writeForeign(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 1 AS a, 'x' AS b) TO '" + file.toString().replace("'", "''") + "' (FORMAT PARQUET)");
        }
    }
}
