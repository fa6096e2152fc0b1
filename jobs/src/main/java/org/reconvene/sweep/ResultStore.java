package org.reconvene.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.reconvene.data.Uris;

/**
 * The on-disk layout of a results table and the two operations that must survive any crash:
 * committing a row, and reading back what is there.
 *
 * <pre>
 * RESULTS/sweep=NAME/TRIAL_ID.parquet           one committed row per trial (what readers see)
 * RESULTS/sweep=NAME/_staging/TRIAL_ID-UUID.inprogress   a row or model being written (invisible)
 * RESULTS/sweep=NAME/_onnx/TRIAL_ID.onnx        the trial's exported model, with {@code export: onnx}
 * </pre>
 *
 * <p>Models live under {@code _onnx/}, which Spark and {@link #scan} skip like {@code _staging/}.
 * A trial's model is published before its row, so an OK row of such a sweep always has its model.
 *
 * <p><b>Commit.</b> A row is written in full under {@code _staging/}, which Spark skips (its name
 * starts with {@code _}) and no {@code *.parquet} glob matches (no {@code .parquet} suffix), then
 * published by one rename that replaces any previous row of the trial. The replacing rename is
 * atomic on local POSIX file systems ({@code rename(2)}) and on HDFS ({@code rename2} with
 * OVERWRITE), so at every instant the trial has either its old row or its new one, never none and
 * never half of one; two racing writers of one trial both succeed and the last rename wins. On
 * object stores (S3A) a rename is a copy and this atomicity is the store's.
 *
 * <p><b>Crash.</b> A writer killed before the rename leaves only a staging file. The next sweep
 * driver of that sweep deletes them ({@link #cleanStaging}) before it starts any task, so one
 * driver per sweep at a time is assumed.
 *
 * <p><b>Read.</b> {@link #scan} opens every visible file with parquet-hadoop, independently of
 * Spark, and sorts the files into rows and problems; Spark is then given only the readable rows.
 */
public final class ResultStore {

    /** The hidden directory of rows being written. */
    public static final String STAGING = "_staging";
    static final String STAGING_SUFFIX = ".inprogress";
    /** Staging names of versions before 0.2 ({@code _tmp-ID-UUID.parquet} beside the rows). */
    private static final String LEGACY_STAGING_PREFIX = "_tmp-";

    private ResultStore() {}

    /** The directory holding a sweep's rows. */
    public static Path sweepDir(String resultsUri, String sweepId) {
        return new Path(new Path(Uris.canonical(resultsUri)), "sweep=" + sweepId);
    }

    /** The committed row of one trial. */
    static Path rowPath(String resultsUri, String sweepId, String trialId) {
        return new Path(sweepDir(resultsUri, sweepId), trialId + ".parquet");
    }

    /** Where a row is written before it is published; a fresh name per attempt. */
    static Path stagingPath(String resultsUri, String sweepId, String trialId) {
        return new Path(new Path(sweepDir(resultsUri, sweepId), STAGING),
                trialId + "-" + java.util.UUID.randomUUID() + STAGING_SUFFIX);
    }

    /**
     * The Parquet output for a staging path. Local files are written directly, without Hadoop's
     * checksum layer: a {@code .crc} side file would not follow the atomic rename and would then
     * contradict the row it describes.
     */
    static OutputFile output(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        if (isLocal(fs)) {
            java.nio.file.Path local = java.nio.file.Path.of(p.toUri());
            Files.createDirectories(local.getParent());
            return new LocalOutputFile(local);
        }
        fs.mkdirs(p.getParent());
        return HadoopOutputFile.fromPath(p, conf);
    }

    /** Moves {@code staged} onto {@code target} in one step, replacing what is there. */
    static void publish(Path staged, Path target, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        if (isLocal(fs)) {
            java.nio.file.Path to = java.nio.file.Path.of(target.toUri());
            // A checksum left by an older version's commit would no longer match the new row.
            Files.deleteIfExists(to.resolveSibling("." + to.getFileName() + ".crc"));
            Files.move(java.nio.file.Path.of(staged.toUri()), to, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        FileContext.getFileContext(fs.getUri(), conf).rename(staged, target, Options.Rename.OVERWRITE);
    }

    /** The hidden directory of a sweep's exported models. */
    public static final String MODELS = "_onnx";

    /** Where trial {@code trialId}'s exported ONNX model is published. */
    public static Path modelPath(String resultsUri, String sweepId, String trialId) {
        return new Path(new Path(sweepDir(resultsUri, sweepId), MODELS), trialId + ".onnx");
    }

    /** Publishes a trial's exported model: written in staging, then moved into place by one replacing rename. */
    static void publishModel(String resultsUri, String sweepId, String trialId, byte[] onnx, Configuration conf)
            throws IOException {
        Path staged = stagingPath(resultsUri, sweepId, trialId);
        Path target = modelPath(resultsUri, sweepId, trialId);
        FileSystem fs = target.getFileSystem(conf);
        try {
            if (isLocal(fs)) {
                java.nio.file.Path local = java.nio.file.Path.of(staged.toUri());
                Files.createDirectories(local.getParent());
                Files.write(local, onnx);
                Files.createDirectories(java.nio.file.Path.of(target.toUri()).getParent());
            } else {
                try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(staged, true)) {
                    out.write(onnx);
                }
                fs.mkdirs(target.getParent());
            }
            publish(staged, target, conf);
        } catch (IOException | RuntimeException e) {
            discard(staged, conf);
            throw e;
        }
    }

    /** Deletes one staging file after a failed commit (best effort: the next run cleans what remains). */
    static void discard(Path staged, Configuration conf) {
        try {
            staged.getFileSystem(conf).delete(staged, false);
        } catch (IOException | RuntimeException e) {
            // Left for cleanStaging; the failure being reported matters more.
        }
    }

    /**
     * Deletes the staging files a crashed writer left in sweep {@code sweepId}, including the
     * {@code _tmp-*.parquet} files of earlier versions; returns how many.
     */
    public static int cleanStaging(String resultsUri, String sweepId, Configuration conf) {
        Path dir = sweepDir(resultsUri, sweepId);
        int n = 0;
        try {
            FileSystem fs = dir.getFileSystem(conf);
            for (Path p : staleStaging(fs, dir)) {
                n += fs.delete(p, false) ? 1 : 0;
            }
            Path staging = new Path(dir, STAGING);
            if (fs.exists(staging) && fs.listStatus(staging).length == 0) {
                fs.delete(staging, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the staging files of " + dir, e);
        }
        return n;
    }

    private static List<Path> staleStaging(FileSystem fs, Path sweepDir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!fs.exists(sweepDir)) {
            return out;
        }
        for (FileStatus f : fs.listStatus(sweepDir)) {
            String name = f.getPath().getName();
            if (f.isFile() && (name.startsWith(LEGACY_STAGING_PREFIX) || name.startsWith("." + LEGACY_STAGING_PREFIX))) {
                out.add(f.getPath());
            } else if (f.isDirectory() && name.equals(STAGING)) {
                for (FileStatus s : fs.listStatus(f.getPath())) {
                    out.add(s.getPath());
                }
            }
        }
        return out;
    }

    /**
     * Refuses a results location that cannot hold a table (a regular file, or a path under one)
     * before any trial runs; creates the directory otherwise.
     *
     * @throws IllegalArgumentException naming the location
     */
    public static void requireUsable(String resultsUri, Configuration conf) {
        String canonical = Uris.canonical(resultsUri);
        Path root = new Path(canonical);
        try {
            FileSystem fs = root.getFileSystem(conf);
            for (Path p = root; p != null; p = p.getParent()) {
                if (fs.exists(p)) {
                    if (!fs.getFileStatus(p).isDirectory()) {
                        throw new IllegalArgumentException("--results " + canonical + (p.equals(root) ? " is a file"
                                : " is under the file " + p) + ", not a directory");
                    }
                    break;
                }
            }
            if (!fs.mkdirs(root)) {
                throw new IllegalArgumentException("--results " + canonical + ": cannot create the directory");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--results " + canonical + " is not usable: " + e.getMessage(), e);
        }
    }

    /**
     * Every file of the table under {@code resultsUri} (all sweeps, or the one named), opened
     * and read without Spark.
     *
     * @throws IllegalArgumentException if nothing exists at {@code resultsUri}
     */
    public static ResultScan scan(String resultsUri, String sweepId, Configuration conf) {
        String canonical = Uris.canonical(resultsUri);
        Path root = new Path(canonical);
        List<ResultScan.RowFile> rows = new ArrayList<>();
        List<ResultScan.Problem> problems = new ArrayList<>();
        List<String> staging = new ArrayList<>();
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new IllegalArgumentException("no results at " + canonical);
            }
            Path start = sweepId == null ? root : new Path(root, "sweep=" + sweepId);
            if (!fs.exists(start)) {
                return new ResultScan(canonical, rows, problems, staging);
            }
            walk(fs, start, conf, rows, problems);
            for (FileStatus f : fs.getFileStatus(start).isDirectory() ? fs.listStatus(start) : new FileStatus[0]) {
                collectStaging(fs, f, staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return new ResultScan(canonical, rows, problems, staging);
    }

    private static void collectStaging(FileSystem fs, FileStatus f, List<String> out) throws IOException {
        if (f.isDirectory() && f.getPath().getName().startsWith("sweep=")) {
            for (Path p : staleStaging(fs, f.getPath())) {
                out.add(p.toString());
            }
        } else if (f.isDirectory() && f.getPath().getName().equals(STAGING)) {
            for (FileStatus s : fs.listStatus(f.getPath())) {
                out.add(s.getPath().toString());
            }
        }
    }

    /** Visits what Spark would read: files and directories whose names start with neither '_' nor '.'. */
    private static void walk(FileSystem fs, Path p, Configuration conf, List<ResultScan.RowFile> rows,
            List<ResultScan.Problem> problems) throws IOException {
        FileStatus st = fs.getFileStatus(p);
        if (st.isFile()) {
            readRow(st, conf, rows, problems);
            return;
        }
        for (FileStatus f : fs.listStatus(p)) {
            String name = f.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (f.isDirectory()) {
                walk(fs, f.getPath(), conf, rows, problems);
            } else {
                readRow(f, conf, rows, problems);
            }
        }
    }

    private static void readRow(FileStatus f, Configuration conf, List<ResultScan.RowFile> rows,
            List<ResultScan.Problem> problems) {
        Path p = f.getPath();
        if (f.getLen() == 0) {
            problems.add(new ResultScan.Problem(p.toString(), "empty file (0 bytes)"));
            return;
        }
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), p).withConf(conf).build()) {
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
            if (reader.read() != null) {
                problems.add(new ResultScan.Problem(p.toString(), "holds more than one row; a result file holds one"));
                return;
            }
            rows.add(new ResultScan.RowFile(p.toString(), string(g, "sweep_id"), g.getString("trial_id", 0),
                    string(g, "status"), g.getType().containsField("threads") && g.getFieldRepetitionCount("threads") > 0
                            ? g.getInteger("threads", 0) : null, string(g, "finished")));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            problems.add(new ResultScan.Problem(p.toString(), "unreadable: " + firstLine(why)));
        }
    }

    private static String string(Group g, String field) {
        return g.getType().containsField(field) && g.getFieldRepetitionCount(field) > 0 ? g.getString(field, 0) : null;
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static boolean isLocal(FileSystem fs) {
        return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
    }
}
