package org.reconvene.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
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
import org.reconvene.train.Progress;
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

    /**
     * Runs {@code spec} on {@code spark}.
     *
     * @throws IllegalArgumentException if the results location is unusable, or a resume would mix
     *     rows made with another PyTorch thread count into the sweep
     */
    public static Outcome run(SparkSession spark, SweepSpec spec, Options options) {
        return run(spark, spec, options, Progress.NONE);
    }

    /** {@link #run(SparkSession, SweepSpec, Options)}, telling {@code bar} the trials done of those to run, each second. */
    public static Outcome run(SparkSession spark, SweepSpec spec, Options options, Progress bar) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ResultStore.requireUsable(options.results(), hadoop);
        int stale = ResultStore.cleanStaging(options.results(), spec.name(), hadoop);
        if (stale > 0) {
            LOG.warn("sweep {}: removed {} staging file(s) of commits interrupted earlier", spec.name(), stale);
        }
        ResultScan scan = ResultStore.scan(options.results(), spec.name(), hadoop);
        scan.warnings().forEach(w -> LOG.warn("sweep {}: {}; its trial counts as missing", spec.name(), w));
        prepareData(spec, hadoop);
        Map<String, String> existing = scan.statuses();
        int threads = taskThreads(spark);
        List<TrialConfig> todo = new ArrayList<>();
        Map<Integer, Integer> keptThreads = new java.util.TreeMap<>();
        Map<String, Integer> threadsById = new HashMap<>();
        scan.rows().forEach(r -> threadsById.put(r.trialId(), r.threads()));
        for (TrialConfig t : spec.trials()) {
            String status = existing.get(t.trialId());
            boolean skip = (options.resume() || options.retryFailed())
                    && ("OK".equals(status) || ("FAILED".equals(status) && !options.retryFailed()));
            if (!skip) {
                todo.add(t);
            } else if (threadsById.get(t.trialId()) != null) {
                keptThreads.merge(threadsById.get(t.trialId()), 1, Integer::sum);
            }
        }
        keptThreads.remove(threads);
        if (!keptThreads.isEmpty()) {
            throw new IllegalArgumentException(String.format(
                    "sweep %s: resuming would mix PyTorch thread counts, which change the numerics: rows kept from "
                            + "earlier runs were made with %s thread(s) per trial (count of rows: %s), this run uses %d "
                            + "(spark.task.cpus). Resume with spark.task.cpus=%d, or write to another --results.",
                    spec.name(), keptThreads.keySet(), keptThreads.values(), threads, keptThreads.keySet().iterator().next()));
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
        boolean exportOnnx = spec.exportsOnnx();
        int slices = options.parallelism() > 0 ? Math.min(options.parallelism(), todo.size()) : todo.size();
        long t0 = System.nanoTime();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(() -> logProgress(sweep, done.value(), failed.value(), todo.size(), t0),
                10, 10, TimeUnit.SECONDS);
        progress.scheduleAtFixedRate(() -> bar.update(done.value(), todo.size()), 0, 1, TimeUnit.SECONDS);
        try {
            jsc.parallelize(todo, slices).foreach(trial -> {
                TaskContext task = TaskContext.get();
                Engines.setThreads(task == null ? 1 : task.cpus());
                String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
                TrialRunner runner = new TrialRunner(DATASETS);
                if (exportOnnx) {
                    Configuration hc = fromMap(conf.value());
                    runner = runner.withDeployment((t, model) ->
                            ResultStore.publishModel(results, sweep, t.trialId(), model.toByteArray(), hc));
                }
                TrialResult r = runner.run(trial, executor);
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
        bar.update(done.value(), todo.size());
        return new Outcome(total, todo.size(), total - todo.size(), done.value() - failed.value(), failed.value());
    }

    /** Rows of one sweep as a Spark SQL table: every readable row file, each named once. */
    public static Dataset<Row> rows(SparkSession spark, String results, String sweep) {
        ResultScan scan = ResultStore.scan(results, sweep, spark.sparkContext().hadoopConfiguration());
        if (scan.rows().isEmpty()) {
            throw new IllegalArgumentException("no readable result rows in " + sweepDir(results, sweep));
        }
        return spark.read().option("mergeSchema", "true").parquet(scan.paths().toArray(String[]::new));
    }

    /** The PyTorch threads each trial of this session runs with: {@code spark.task.cpus}. */
    static int taskThreads(SparkSession spark) {
        return Integer.parseInt(spark.sparkContext().getConf().get("spark.task.cpus", "1"));
    }

    private static Path sweepDir(String results, String sweep) {
        return ResultStore.sweepDir(results, sweep);
    }

    private static void logProgress(String sweep, long done, long failed, int total, long t0) {
        double elapsed = (System.nanoTime() - t0) / 1e9;
        String eta = done == 0 ? "unknown" : String.format("%.0f s", elapsed / done * (total - done));
        LOG.info("sweep {}: {} of {} trials done ({} failed), {} s elapsed, {} trials/hour, ETA {}", sweep, done, total,
                failed, String.format("%.0f", elapsed), String.format("%.1f", elapsed > 0 ? done * 3600 / elapsed : 0),
                eta);
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
