package org.reconvene.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.deploy.Int8Export;
import org.reconvene.deploy.OnnxModel;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultTable;
import org.reconvene.train.Progress;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialPlan;
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
 * when resuming, and spreads the rest one trial per task ({@link SparkTasks}). Each task runs its
 * trial ({@link TrialRunner}) and commits the row itself ({@link ResultTable#commit}), so a crash
 * loses no finished trial and a retried task rewrites its row rather than adding one. A trial that
 * throws or diverges is a FAILED row, never a failed task. Progress goes to the driver's log.
 */
public final class SweepJob {

    private static final Logger LOG = LoggerFactory.getLogger(SweepJob.class);

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
        checkData(spec, hadoop);
        ResultTable table = ResultTable.at(options.results(), hadoop).requireUsable();
        table.cleanStaging(spec.name());
        ResultScan scan = table.scan(spec.name());
        scan.warnings().forEach(w -> LOG.warn("sweep {}: {}; its trial counts as missing", spec.name(), w));
        prepareData(spec, hadoop);
        List<TrialConfig> todo = toRun(spec, options, scan, SparkTasks.taskThreads(spark));
        int total = spec.trials().size();
        LOG.info("sweep {}: {} trials, {} to run, {} skipped (results {})", spec.name(), total, todo.size(),
                total - todo.size(), table.uri());
        if (todo.isEmpty()) {
            return new Outcome(total, 0, total, 0, 0);
        }
        long ok;
        long failedCount;
        try (SweepProgress progress = new SweepProgress(spark, spec.name(), todo, bar)) {
            execute(spark, spec, options, table, todo, progress);
            failedCount = progress.failed().value();
            ok = progress.done().value() - failedCount;
            bar.update(progress.done().value(), todo.size());
        }
        return new Outcome(total, todo.size(), total - todo.size(), ok, failedCount);
    }

    /**
     * The trials to run: all of them, or on a resume those without a row (and with
     * {@code retryFailed} the FAILED ones too).
     *
     * @throws IllegalArgumentException if the rows kept were made with another PyTorch thread count
     */
    public static List<TrialConfig> toRun(SweepSpec spec, Options options, ResultScan scan, int threads) {
        Map<String, String> existing = scan.statuses();
        Map<String, Integer> threadsById = new HashMap<>();
        scan.rows().forEach(r -> threadsById.put(r.trialId(), r.threads()));
        List<TrialConfig> todo = new ArrayList<>();
        Map<Integer, Integer> keptThreads = new TreeMap<>();
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
        return todo;
    }

    /** Runs {@code todo} one trial per task; each task commits its own row and reports its progress. */
    private static void execute(SparkSession spark, SweepSpec spec, Options options, ResultTable table,
            List<TrialConfig> todo, SweepProgress progress) {
        String sweep = spec.name();
        boolean exportOnnx = spec.exportsOnnx();
        boolean exportInt8 = spec.exportsInt8();
        LongAccumulator done = progress.done();
        LongAccumulator failed = progress.failed();
        LongAccumulator batches = progress.batches();
        LongAccumulator totals = progress.totals();
        SparkTasks.forEach(spark, todo, options.parallelism(), table, (trial, task) -> {
            TrialPlan.Builder plan = TrialPlan.builder().optProgress(SweepProgress.taskProgress(batches, totals));
            if (exportOnnx) {
                plan.optDeployment(new TrialPlan.Deployment() {
                    @Override
                    public void accept(TrialConfig t, OnnxModel model) throws java.io.IOException {
                        task.results().publishModel(sweep, t.trialId(), model.toByteArray());
                    }

                    @Override
                    public void acceptInt8(TrialConfig t, OnnxModel int8) throws java.io.IOException {
                        task.results().publishModel(sweep, t.trialId() + ResultTable.INT8_SUFFIX, int8.toByteArray());
                    }
                });
            }
            if (exportInt8) {
                plan.optInt8(Int8Export.DEFAULT_CALIBRATION_BATCHES);
            }
            TrialResult r = task.results().commitOrFail(sweep,
                    new TrialRunner(SparkTasks.DATASETS).run(trial, plan.build(), task.executor()));
            done.add(1);
            if (r.status() == TrialResult.Status.FAILED) {
                failed.add(1);
            }
        });
    }

    /**
     * Fails, naming {@code data.NAME.uri}, unless every dataset the sweep reads (and does not
     * generate) is there in a known layout: a mistyped path is bad input before anything is
     * written, not one FAILED row per trial. Only marker files are looked at.
     */
    public static void checkData(SweepSpec spec, Configuration conf) {
        for (SweepSpec.DataSource d : spec.data().values()) {
            if (!d.generate().isEmpty()) {
                continue;
            }
            Path p = new Path(d.uri());
            try {
                FileSystem fs = p.getFileSystem(conf);
                org.reconvene.data.DatasetFormat.locate(fs, fs.makeQualified(p));
            } catch (IllegalArgumentException e) {
                throw new SweepSpecException(spec.file(), "data." + d.dataset() + ".uri", e.getMessage());
            } catch (java.io.IOException e) {
                throw new SweepSpecException(spec.file(), "data." + d.dataset() + ".uri", "cannot be read: "
                        + e.getMessage());
            }
        }
    }

    /** Generates the synthetic datasets of the sweep that do not exist yet. */
    public static void prepareData(SweepSpec spec, Configuration conf) {
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
            SyntheticImageGenerator.Builder b = SyntheticImageGenerator.builder().setOutput(d.uri()).optConfiguration(conf);
            // only what the file sets: the generator's own fields hold the defaults
            ifSet(g, "classes", v -> b.optClasses(v.intValue()));
            ifSet(g, "train", v -> b.optTrainSize(v.intValue()));
            ifSet(g, "test", v -> b.optTestSize(v.intValue()));
            ifSet(g, "size", v -> b.optImageSize(v.intValue()));
            ifSet(g, "seed", v -> b.optSeed(v.longValue()));
            ifSet(g, "difficulty", v -> b.optDifficulty(v.doubleValue()));
            b.build().generate();
        }
    }

    private static void ifSet(Map<String, Object> g, String key, java.util.function.Consumer<Number> set) {
        Object v = g.get(key);
        if (v != null) {
            set.accept((Number) v);
        }
    }
}
