package org.reconvene.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.engine.Engines;
import org.reconvene.trial.DatasetCache;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialResult;
import org.reconvene.trial.TrialRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's main job: runs the trials of a sweep as Spark tasks and commits each result row
 * to Parquet as it finishes.
 *
 * <p>Run it with {@code bin/reconvene sweep conf/sweeps/quickstart.yaml} (embedded Spark,
 * {@code local[*]}) or through {@code spark-submit} on a cluster (see README.md). The driver
 * validates the sweep, generates missing synthetic data, skips trials that already have rows
 * when resuming, and spreads the rest one trial per task. Each task runs its trial with PyTorch
 * threads set to {@code spark.task.cpus} and writes the row itself ({@link TrialRowWriter}), so a
 * crash loses no finished trial and a retried task rewrites its row rather than adding one. A
 * trial that throws or diverges is a FAILED row, never a failed task. Progress (done, failed,
 * total, ETA) goes to the driver's log.
 */
public final class SweepJob {

    private static final Logger LOG = LoggerFactory.getLogger(SweepJob.class);
    private static final DatasetCache DATASETS = new DatasetCache();

    /** How a sweep runs. */
    public record Options(String results, boolean resume, boolean retryFailed, int parallelism) {}

    /** What a run did. */
    public record Outcome(int trials, int ran, int skipped, long ok, long failed) {}

    private SweepJob() {}

    /** Runs {@code spec} on {@code spark}. */
    public static Outcome run(SparkSession spark, SweepSpec spec, Options options) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        prepareData(spec, hadoop);
        Map<String, String> existing = statuses(spark, options.results(), spec.name());
        List<TrialConfig> todo = new ArrayList<>();
        for (TrialConfig t : spec.trials()) {
            String status = existing.get(t.trialId());
            boolean skip = (options.resume() || options.retryFailed())
                    && ("OK".equals(status) || ("FAILED".equals(status) && !options.retryFailed()));
            if (!skip) {
                todo.add(t);
            }
        }
        int total = spec.trials().size();
        LOG.info("sweep {}: {} trials, {} to run, {} skipped (results {})", spec.name(), total, todo.size(),
                total - todo.size(), options.results());
        if (todo.isEmpty()) {
            return new Outcome(total, 0, total, 0, 0);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, String>> conf = jsc.broadcast(asMap(hadoop));
        LongAccumulator done = spark.sparkContext().longAccumulator("trials done");
        LongAccumulator failed = spark.sparkContext().longAccumulator("trials failed");
        String results = options.results();
        String sweep = spec.name();
        int slices = options.parallelism() > 0 ? Math.min(options.parallelism(), todo.size()) : todo.size();
        long t0 = System.nanoTime();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(() -> logProgress(sweep, done.value(), failed.value(), todo.size(), t0),
                10, 10, TimeUnit.SECONDS);
        try {
            jsc.parallelize(todo, slices).foreach(trial -> {
                TaskContext task = TaskContext.get();
                Engines.setThreads(task == null ? 1 : task.cpus());
                String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
                TrialResult r = new TrialRunner(DATASETS).run(trial, executor);
                TrialRowWriter.write(r, sweep, results, fromMap(conf.value()));
                done.add(1);
                if (r.status() == TrialResult.Status.FAILED) {
                    failed.add(1);
                }
            });
        } finally {
            progress.shutdownNow();
        }
        logProgress(sweep, done.value(), failed.value(), todo.size(), t0);
        return new Outcome(total, todo.size(), total - todo.size(), done.value() - failed.value(), failed.value());
    }

    /** Rows of one sweep as a Spark SQL table. */
    public static Dataset<Row> rows(SparkSession spark, String results, String sweep) {
        return spark.read().option("mergeSchema", "true").parquet(TrialRowWriter.sweepDir(results, sweep).toString());
    }

    private static void logProgress(String sweep, long done, long failed, int total, long t0) {
        double elapsed = (System.nanoTime() - t0) / 1e9;
        String eta = done == 0 ? "unknown" : String.format("%.0f s", elapsed / done * (total - done));
        LOG.info("sweep {}: {} of {} trials done ({} failed), {} s elapsed, ETA {}", sweep, done, total, failed,
                String.format("%.0f", elapsed), eta);
    }

    /** trial id to status for the rows already written in this sweep. */
    static Map<String, String> statuses(SparkSession spark, String results, String sweep) {
        Map<String, String> out = new HashMap<>();
        Path dir = TrialRowWriter.sweepDir(results, sweep);
        try {
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(dir)) {
                return out;
            }
            boolean any = false;
            for (FileStatus f : fs.listStatus(dir)) {
                any |= f.getPath().getName().endsWith(".parquet") && !f.getPath().getName().startsWith("_");
            }
            if (!any) {
                return out;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
        for (Row r : rows(spark, results, sweep).select("trial_id", "status").collectAsList()) {
            out.put(r.getString(0), r.getString(1));
        }
        return out;
    }

    /** Generates the synthetic datasets of the sweep that do not exist yet. */
    static void prepareData(SweepSpec spec, Configuration conf) {
        for (SweepSpec.DataSource d : spec.data().values()) {
            if (d.generate().isEmpty()) {
                continue;
            }
            Path p = new Path(d.uri());
            try {
                FileSystem fs = p.getFileSystem(conf);
                if (fs.exists(p) && fs.listStatus(p).length > 0) {
                    continue;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot check " + p, e);
            }
            Map<String, Object> g = d.generate();
            LOG.info("generating synthetic data at {}: {}", d.uri(), g);
            SyntheticImageGenerator.builder()
                    .setOutput(d.uri())
                    .optClasses(intOf(g, "classes", 10))
                    .optTrainSize(intOf(g, "train", 5000))
                    .optTestSize(intOf(g, "test", 1000))
                    .optImageSize(intOf(g, "size", 32))
                    .optSeed(intOf(g, "seed", 0))
                    .optDifficulty(((Number) g.getOrDefault("difficulty", 0.0)).doubleValue())
                    .optConfiguration(conf)
                    .build()
                    .generate();
        }
    }

    private static int intOf(Map<String, Object> g, String key, int dflt) {
        Object v = g.get(key);
        return v == null ? dflt : ((Number) v).intValue();
    }

    private static Map<String, String> asMap(Configuration conf) {
        Map<String, String> m = new HashMap<>();
        for (Map.Entry<String, String> e : conf) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    private static Configuration fromMap(Map<String, String> m) {
        Configuration c = new Configuration(false);
        m.forEach(c::set);
        return c;
    }
}
