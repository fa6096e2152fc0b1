package org.reconvene.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.MessageType;

/**
 * Reads every file of a results table without Spark and sorts it: readable rows, files that are
 * not readable rows (damaged, foreign, empty), and staging entries crashed writers left. What a
 * resume, a report or {@code results check} trusts is decided here, file by file.
 */
final class ResultScanner {

    private ResultScanner() {}

    static ResultScan scan(ResultTable table, String sweep) {
        Path root = new Path(table.uri());
        List<ResultScan.RowFile> rows = new ArrayList<>();
        List<ResultScan.Problem> problems = new ArrayList<>();
        List<String> staging = new ArrayList<>();
        try {
            FileSystem fs = root.getFileSystem(table.conf());
            if (!fs.exists(root)) {
                throw new IllegalArgumentException("no results at " + table.uri());
            }
            Path start = sweep == null ? root : table.sweepDir(sweep);
            if (!fs.exists(start)) {
                return new ResultScan(table.uri(), rows, problems, staging);
            }
            walk(fs, start, table, rows, problems);
            if (sweep != null) {
                ResultTable.staging(fs, start).forEach(p -> staging.add(p.toString()));
            } else {
                for (FileStatus f : fs.listStatus(root)) {
                    if (f.isDirectory() && f.getPath().getName().startsWith("sweep=")) {
                        ResultTable.staging(fs, f.getPath()).forEach(p -> staging.add(p.toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return new ResultScan(table.uri(), rows, problems, staging);
    }

    /** Visits what Spark would read: files and directories whose names start with neither '_' nor '.'. */
    private static void walk(FileSystem fs, Path p, ResultTable table, List<ResultScan.RowFile> rows,
            List<ResultScan.Problem> problems) throws IOException {
        FileStatus st = fs.getFileStatus(p);
        if (st.isFile()) {
            readRow(st, table, rows, problems);
            return;
        }
        for (FileStatus f : fs.listStatus(p)) {
            String name = f.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (f.isDirectory()) {
                walk(fs, f.getPath(), table, rows, problems);
            } else {
                readRow(f, table, rows, problems);
            }
        }
    }

    private static void readRow(FileStatus f, ResultTable table, List<ResultScan.RowFile> rows,
            List<ResultScan.Problem> problems) {
        Path p = f.getPath();
        if (f.getLen() == 0) {
            problems.add(new ResultScan.Problem(p.toString(), "empty file (0 bytes)"));
            return;
        }
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), p).withConf(table.conf())
                .build()) {
            Group g = reader.read();
            if (g == null) {
                problems.add(new ResultScan.Problem(p.toString(), "a Parquet file without rows"));
                return;
            }
            MessageType schema = (MessageType) g.getType();
            if (!schema.containsField("trial_id") || !schema.containsField("status")
                    || g.getFieldRepetitionCount("trial_id") == 0) {
                problems.add(new ResultScan.Problem(p.toString(), "not a result row (no trial_id or status column)"));
                return;
            }
            String conflict = ResultSchema.conflict(schema);
            if (conflict != null) {
                problems.add(new ResultScan.Problem(p.toString(), conflict));
                return;
            }
            if (reader.read() != null) {
                problems.add(new ResultScan.Problem(p.toString(), "holds more than one row; a result file holds one"));
                return;
            }
            rows.add(new ResultScan.RowFile(p.toString(), string(g, "sweep_id"), g.getString("trial_id", 0),
                    string(g, "status"), integer(g, "threads"), string(g, "finished"), integer(g, "rung"), scalars(g)));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            problems.add(new ResultScan.Problem(p.toString(), "unreadable: " + firstLine(why)));
        }
    }

    /** Every declared scalar column the row sets, by name, as a Java value. */
    private static java.util.Map<String, Object> scalars(Group g) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (org.apache.parquet.schema.Type t : g.getType().getFields()) {
            String name = t.getName();
            ResultSchema.Kind kind = ResultSchema.kind(name);
            if (kind == null || !t.isPrimitive() || g.getFieldRepetitionCount(name) == 0) {
                continue;
            }
            out.put(name, switch (kind) {
                case STRING -> g.getString(name, 0);
                case DOUBLE -> g.getDouble(name, 0);
                case LONG -> g.getLong(name, 0);
                case INT -> g.getInteger(name, 0);
                case BOOLEAN -> g.getBoolean(name, 0);
            });
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static String string(Group g, String field) {
        return g.getType().containsField(field) && g.getFieldRepetitionCount(field) > 0 ? g.getString(field, 0) : null;
    }

    private static Integer integer(Group g, String field) {
        return g.getType().containsField(field) && g.getFieldRepetitionCount(field) > 0 ? g.getInteger(field, 0) : null;
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
