package org.reconvene.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.reconvene.data.Uris;
import org.reconvene.trial.TrialResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A results table at one URI: the whole on-disk layout, the commits that must survive any crash,
 * and the one way to read it back.
 *
 * <pre>
 * RESULTS/sweep=NAME/TRIAL_ID.parquet                 a sweep trial's committed row (what readers see)
 * RESULTS/sweep=NAME/TRIAL_ID-rN.parquet              a search trial's row of rung N
 * RESULTS/sweep=NAME/_staging/NAME-UUID.inprogress    a row, model or checkpoint being written (invisible)
 * RESULTS/sweep=NAME/_onnx/TRIAL_ID.onnx              the trial's exported model, with {@code export: onnx}
 * RESULTS/sweep=NAME/_checkpoints/TRIAL_ID/rN/        a search trial's network after rung N
 * </pre>
 *
 * <p>Directories starting with {@code _} are skipped by Spark and by {@link #scan}; staging names
 * have no {@code .parquet} suffix, so no glob sees them either.
 *
 * <p><b>Commit.</b> A row (or model) is written in full under {@code _staging/}, then published by
 * one rename that replaces any previous version. The replacing rename is atomic on local POSIX
 * file systems ({@code rename(2)}) and on HDFS ({@code rename2} with OVERWRITE), so at every
 * instant a reader sees the old version or the new one, never none and never half of one; two
 * racing writers both succeed and the last rename wins. On object stores (S3A) a rename is a copy
 * and this atomicity is the store's. A trial's model is published before its row, so an OK row of
 * such a sweep always has its model.
 *
 * <p><b>Crash.</b> A writer killed before the rename leaves only a staging entry. The next driver
 * of that sweep deletes them ({@link #cleanStaging}) before it starts any task, so one driver per
 * sweep at a time is assumed.
 *
 * <p><b>Read.</b> {@link #scan} opens every visible file with parquet-hadoop, independently of
 * Spark, and sorts the files into rows and problems; {@link #rows} gives Spark only the readable
 * rows and fills the columns that rows of older versions lack. Instances are cheap; an executor
 * makes its own from the URI and the Hadoop settings.
 */
public final class ResultTable {

    /** The hidden directory of rows, models and checkpoints being written. */
    public static final String STAGING = "_staging";
    /** The hidden directory of a sweep's exported models. */
    public static final String MODELS = "_onnx";
    /** What a trial's int8 file adds to its id: {@code _onnx/TRIAL_ID.int8.onnx}. */
    public static final String INT8_SUFFIX = ".int8";
    /** The hidden directory of a search's checkpoints. */
    public static final String CHECKPOINTS = "_checkpoints";
    public static final String STAGING_SUFFIX = ".inprogress";
    /** Staging names of versions before 0.2 ({@code _tmp-ID-UUID.parquet} beside the rows). */
    private static final String LEGACY_STAGING_PREFIX = "_tmp-";
    private static final Logger LOG = LoggerFactory.getLogger(ResultTable.class);

    private final String uri;
    private final Configuration conf;

    private ResultTable(String uri, Configuration conf) {
        this.uri = Uris.canonical(uri);
        this.conf = conf;
    }

    /** The table at {@code uri} (a path or any Hadoop URI), read and written with {@code conf}. */
    public static ResultTable at(String uri, Configuration conf) {
        return new ResultTable(uri, conf);
    }

    /** The canonical URI. */
    public String uri() {
        return uri;
    }

    /** The Hadoop settings it reads and writes with. */
    public Configuration conf() {
        return conf;
    }

    /** The directory holding a sweep's rows. */
    public Path sweepDir(String sweep) {
        return new Path(new Path(uri), "sweep=" + sweep);
    }

    /**
     * The name of a row: the trial id, and for a search's rung {@code N} the suffix {@code -rN}, so
     * that a rerun replaces the row and the rungs of one trial are rows of their own.
     */
    public static String rowName(String trialId, Integer rung) {
        return rung == null ? trialId : trialId + "-r" + rung;
    }

    /** The committed row of one trial (of one rung of it, for a search). */
    public Path rowPath(String sweep, String trialId, Integer rung) {
        return new Path(sweepDir(sweep), rowName(trialId, rung) + ".parquet");
    }

    /** Where an entry is written before it is published; a fresh name per attempt. */
    Path stagingPath(String sweep, String name) {
        return new Path(new Path(sweepDir(sweep), STAGING), name + "-" + java.util.UUID.randomUUID() + STAGING_SUFFIX);
    }

    /** Where trial {@code trialId}'s exported ONNX model is published. */
    public Path modelPath(String sweep, String trialId) {
        return new Path(new Path(sweepDir(sweep), MODELS), trialId + ".onnx");
    }

    /** Where a search trial's checkpoint after rung {@code rung} is published. */
    public Path checkpointPath(String sweep, String trialId, int rung) {
        return new Path(new Path(new Path(sweepDir(sweep), CHECKPOINTS), trialId), "r" + rung);
    }

    /** Commits {@code r} as its trial's row (of its rung, for a search) in {@code sweep}. */
    public void commit(String sweep, TrialResult r) {
        RowWriter.write(this, sweep, r);
    }

    /**
     * Commits {@code r}; if that fails (a full disk, a name the file system refuses, staging removed
     * under it), commits a FAILED row of the same trial naming the cause instead, and if even that
     * fails, logs it: the trial then has no row and a resume runs it again. Never throws, so one
     * trial's commit never stops a sweep. Returns what was (or should have been) committed.
     */
    public TrialResult commitOrFail(String sweep, TrialResult r) {
        try {
            commit(sweep, r);
            return r;
        } catch (RuntimeException e) {
            TrialResult failed = new TrialResult(r.trialId(), r.rung(), TrialResult.Status.FAILED,
                    e.getClass().getName(), "the trial's " + r.status() + " row could not be committed: "
                    + rootMessage(e), r.config(), r.metrics(), List.of(), List.of(), r.provenance());
            try {
                commit(sweep, failed);
            } catch (RuntimeException again) {
                LOG.error("sweep {}: trial {} has no row: {}; a resume runs it again", sweep, r.trialId(),
                        rootMessage(again));
            }
            return failed;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
        return m;
    }

    /**
     * The Parquet output for a staging path. Local files are written directly, without Hadoop's
     * checksum layer: a {@code .crc} side file would not follow the atomic rename and would then
     * contradict the row it describes.
     */
    OutputFile output(Path p) throws IOException {
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
    void publish(Path staged, Path target) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        if (isLocal(fs)) {
            java.nio.file.Path to = java.nio.file.Path.of(target.toUri());
            Files.createDirectories(to.getParent());
            // A checksum left by an older version's commit would no longer match the new row.
            Files.deleteIfExists(to.resolveSibling("." + to.getFileName() + ".crc"));
            Files.move(java.nio.file.Path.of(staged.toUri()), to, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        fs.mkdirs(target.getParent());
        FileContext.getFileContext(fs.getUri(), conf).rename(staged, target, Options.Rename.OVERWRITE);
    }

    /** Publishes a trial's exported model: written in staging, then moved into place by one replacing rename. */
    public void publishModel(String sweep, String trialId, byte[] onnx) throws IOException {
        Path staged = stagingPath(sweep, trialId);
        Path target = modelPath(sweep, trialId);
        FileSystem fs = target.getFileSystem(conf);
        try {
            try (org.apache.hadoop.fs.FSDataOutputStream out = create(fs, staged)) {
                out.write(onnx);
            }
            publish(staged, target);
        } catch (IOException | RuntimeException e) {
            discard(staged);
            throw e;
        }
    }

    private static org.apache.hadoop.fs.FSDataOutputStream create(FileSystem fs, Path p) throws IOException {
        if (isLocal(fs)) {
            // the raw file system: no .crc side file to outlive the rename
            return ((fs instanceof LocalFileSystem l) ? l.getRawFileSystem() : fs).create(p, true);
        }
        return fs.create(p, true);
    }

    /**
     * Publishes a search trial's checkpoint after {@code rung}, the files of {@code local}: copied in
     * full into a staging directory, then moved into place by one rename, so a reader finds the
     * complete checkpoint or none. A previous copy of the same rung is removed first.
     */
    public void publishCheckpoint(String sweep, String trialId, int rung, java.nio.file.Path local) throws IOException {
        Path staged = stagingPath(sweep, rowName(trialId, rung) + "-checkpoint");
        Path target = checkpointPath(sweep, trialId, rung);
        FileSystem fs = target.getFileSystem(conf);
        try {
            fs.mkdirs(staged);
            try (var files = Files.list(local)) {
                for (java.nio.file.Path f : files.toList()) {
                    fs.copyFromLocalFile(false, true, new Path(f.toUri()), new Path(staged, f.getFileName().toString()));
                }
            }
            // the marker written last: a checkpoint without it is incomplete (CheckpointIndex)
            try (var out = create(fs, new Path(staged, COMPLETE))) {
                out.writeBytes(String.join("\n", fileNames(local)) + "\n");
            }
            pause(PAUSE_BEFORE_CHECKPOINT_RENAME_MS);
            fs.delete(target, true);
            fs.mkdirs(target.getParent());
            if (!fs.rename(staged, target)) {
                throw new IOException("cannot move " + staged + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            try {
                fs.delete(staged, true);
            } catch (IOException ignored) {
                // left for cleanStaging
            }
            throw e;
        }
    }

    /**
     * Test hook: milliseconds to wait between staging a checkpoint and moving it into place, so
     * that a test can kill the JVM mid-publish. Unset (0) outside the crash tests.
     */
    public static final String PAUSE_BEFORE_CHECKPOINT_RENAME_MS = "reconvene.test.pauseBeforeCheckpointRenameMs";

    private static void pause(String property) {
        long ms = Long.getLong(property, 0L);
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The file a complete checkpoint holds last, listing the others. */
    public static final String COMPLETE = "_COMPLETE";
    /** The files every checkpoint holds: the network's spec and tensors, and the optimizer state. */
    private static final List<String> LEGACY_CHECKPOINT_FILES = List.of("spec.json", "tensors.ndlist", "optimizer.bin");

    private static List<String> fileNames(java.nio.file.Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Whether the checkpoint of {@code trialId} after {@code rung} is complete: its marker exists
     * and every file it lists is there.
     */
    public boolean checkpointComplete(String sweep, String trialId, int rung) {
        Path dir = checkpointPath(sweep, trialId, rung);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            Path marker = new Path(dir, COMPLETE);
            if (!fs.exists(marker)) {
                // published before markers existed: complete if the files a rung needs are there and non-empty
                for (String name : LEGACY_CHECKPOINT_FILES) {
                    Path f = new Path(dir, name);
                    if (!fs.exists(f) || fs.getFileStatus(f).getLen() == 0) {
                        return false;
                    }
                }
                return true;
            }
            String listed;
            try (var in = fs.open(marker)) {
                listed = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            for (String name : listed.split("\n")) {
                if (!name.isBlank() && !fs.exists(new Path(dir, name.trim()))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Copies a published checkpoint into the local directory {@code into} (created if needed). */
    public void fetchCheckpoint(String sweep, String trialId, int rung, java.nio.file.Path into) throws IOException {
        Path from = checkpointPath(sweep, trialId, rung);
        FileSystem fs = from.getFileSystem(conf);
        Files.createDirectories(into);
        for (FileStatus f : fs.listStatus(from)) {
            if (!f.getPath().getName().equals(COMPLETE)) {
                fs.copyToLocalFile(false, f.getPath(), new Path(into.resolve(f.getPath().getName()).toUri()), true);
            }
        }
    }

    /** A published checkpoint as a path to give {@code export --model-dir}: a local path where it is one. */
    public String checkpointLocation(String sweep, String trialId, int rung) {
        Path dir = checkpointPath(sweep, trialId, rung);
        return "file".equals(dir.toUri().getScheme()) ? dir.toUri().getPath() : dir.toString();
    }

    /** Deletes one staging entry after a failed commit (best effort: the next run cleans what remains). */
    void discard(Path staged) {
        try {
            staged.getFileSystem(conf).delete(staged, true);
        } catch (IOException | RuntimeException e) {
            // Left for cleanStaging; the failure being reported matters more.
        }
    }

    /**
     * Deletes the staging entries a crashed writer left in {@code sweep}, including the
     * {@code _tmp-*.parquet} files of earlier versions; returns how many.
     */
    public int cleanStaging(String sweep) {
        Path dir = sweepDir(sweep);
        int n = 0;
        try {
            FileSystem fs = dir.getFileSystem(conf);
            for (Path p : staleStaging(fs, dir)) {
                n += fs.delete(p, true) ? 1 : 0;
            }
            Path staging = new Path(dir, STAGING);
            if (fs.exists(staging) && fs.listStatus(staging).length == 0) {
                fs.delete(staging, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the staging files of " + dir, e);
        }
        if (n > 0) {
            LOG.warn("sweep {}: removed {} staging entr{} of commits interrupted earlier", sweep, n, n == 1 ? "y" : "ies");
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
     * Refuses a location that cannot hold a table (a regular file, or a path under one) before any
     * trial runs; creates the directory otherwise.
     *
     * @throws IllegalArgumentException naming the location
     */
    public ResultTable requireUsable() {
        Path root = new Path(uri);
        try {
            FileSystem fs = root.getFileSystem(conf);
            for (Path p = root; p != null; p = p.getParent()) {
                if (fs.exists(p)) {
                    if (!fs.getFileStatus(p).isDirectory()) {
                        throw new IllegalArgumentException("--results " + uri + (p.equals(root) ? " is a file"
                                : " is under the file " + p) + ", not a directory");
                    }
                    break;
                }
            }
            if (!fs.mkdirs(root)) {
                throw new IllegalArgumentException("--results " + uri + ": cannot create the directory");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--results " + uri + " is not usable: " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * Every file of the table (all sweeps, or the one named), opened and read without Spark.
     *
     * @throws IllegalArgumentException if nothing exists at the URI
     */
    public ResultScan scan(String sweep) {
        return ResultScanner.scan(this, sweep);
    }

    /** The staging entries of the sweep directory {@code dir}, for {@link #scan}. */
    static List<Path> staging(FileSystem fs, Path sweepDir) throws IOException {
        return staleStaging(fs, sweepDir);
    }

    /**
     * The readable rows of the table (every sweep, or the one named) as one Spark table: files
     * that are not readable rows are named in a warning and left out, and columns declared since
     * a row was written read as typed nulls. Every reader of results (sweep and search drivers, the
     * report, the notebooks, {@code results sql}) comes through here.
     *
     * @throws IllegalArgumentException if nothing exists at the URI, or no row is readable
     */
    public Dataset<Row> rows(SparkSession spark, String sweep) {
        ResultScan scan = scan(sweep);
        scan.warnings().forEach(LOG::warn);
        if (scan.rows().isEmpty()) {
            throw new IllegalArgumentException("no readable result rows under "
                    + (sweep == null ? uri : sweepDir(sweep).toString()));
        }
        return read(spark, scan);
    }

    /** {@link #rows}, or null where the table (or sweep) has no readable row yet. */
    public Dataset<Row> rowsIfAny(SparkSession spark, String sweep) {
        ResultScan scan = scan(sweep);
        scan.warnings().forEach(LOG::warn);
        return scan.rows().isEmpty() ? null : read(spark, scan);
    }

    private static Dataset<Row> read(SparkSession spark, ResultScan scan) {
        // Rows written by older versions may lack newer columns: merge the files' schemas. The
        // base path keeps the partition column (sweep) that reading the directory would give.
        Dataset<Row> rows = spark.read().option("mergeSchema", "true").option("basePath", scan.root())
                .parquet(scan.paths().toArray(String[]::new));
        Set<String> present = Set.of(rows.columns());
        for (Map.Entry<String, String> c : ResultSchema.sqlTypes().entrySet()) {
            if (!present.contains(c.getKey())) {
                rows = rows.withColumn(c.getKey(), functions.lit(null).cast(c.getValue()));
            }
        }
        return rows;
    }

    static boolean isLocal(FileSystem fs) {
        return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
    }
}
