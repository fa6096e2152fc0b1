package org.reconvene.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
import org.reconvene.data.ImageDataset;
import org.reconvene.deploy.InputTransform;
import org.reconvene.engine.Engines;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.provenance.Provenance;
import org.reconvene.search.Objective;
import org.reconvene.search.Pareto;
import org.reconvene.train.NetworkTrainer;
import org.reconvene.train.OptimizerState;
import org.reconvene.train.TrainingResult;
import org.reconvene.trial.DatasetCache;
import org.reconvene.trial.InputFit;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialResult;
import org.reconvene.trial.TrialRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A budget search ({@link SearchSpec}) on Spark: the most accurate networks that fit a device,
 * training only the candidates that can.
 *
 * <p>Run it with {@code bin/reconvene search conf/search/quick.yaml}. Rung 0 prunes and measures
 * every candidate in parallel without training; a candidate whose pruned network breaks a
 * constraint is an {@code INFEASIBLE} row and never trains. The feasible ones train to the first
 * rung. Each later rung ranks the previous rung's rows by non-dominated sorting on the objectives
 * (ties by crowding distance, then trial id: {@link Pareto#best}), promotes {@code ceil(n / eta)}
 * of them, and continues each from its checkpoint (network, masks and optimizer state) to the next
 * rung's epochs. Every rung of every trial is its own committed row, {@code TRIAL_ID-rN.parquet}
 * with column {@code rung}, and its checkpoint lives under {@code _checkpoints/TRIAL_ID/rN}, so
 * {@code --resume} continues where a search stopped. The result is the Pareto front of the last
 * rung's rows.
 */
public final class SearchJob {

    private static final Logger LOG = LoggerFactory.getLogger(SearchJob.class);
    private static final DatasetCache DATASETS = new DatasetCache();
    /** The hidden directory of a search's checkpoints, beside its rows. */
    static final String CHECKPOINTS = "_checkpoints";

    /** How a search runs. */
    public record Options(String results, boolean resume) {}

    /** One member of the front: its row's id, rung, objective and constraint values, and its model. */
    public record Member(String trialId, int rung, Map<String, Double> values, String modelDir) {}

    /** What a run did: rows per rung (index), epochs trained in total, and the front. */
    public record Outcome(int[] candidatesPerRung, int infeasible, long epochsTrained, List<Member> front) {}

    private SearchJob() {}

    /** Runs {@code search} on {@code spark}. */
    public static Outcome run(SparkSession spark, SearchSpec search, Options options) {
        SweepSpec spec = search.candidates();
        String name = spec.name();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ResultStore.requireUsable(options.results(), hadoop);
        ResultStore.cleanStaging(options.results(), name, hadoop);
        SweepJob.prepareData(spec, hadoop);
        int[] rungs = search.rungs();
        int[] perRung = new int[rungs.length];
        Map<String, TrialConfig> byId = new LinkedHashMap<>();
        spec.trials().forEach(t -> byId.put(t.trialId(), t));
        List<String> ids = new ArrayList<>(byId.keySet());
        ids.sort(Comparator.naturalOrder());
        long epochs = 0;
        int infeasible = 0;
        java.util.Set<String> reachedLast = new java.util.HashSet<>();
        for (int r = 0; r < rungs.length; r++) {
            Map<String, Row> done = options.resume() ? rowsAt(spark, options.results(), name, r) : Map.of();
            Map<String, Row> previousRows = r == 0 ? Map.of() : rowsAt(spark, options.results(), name, r - 1);
            List<String> entering;
            if (r == 0) {
                entering = ids;
            } else {
                List<Row> previous = previousRows.values().stream()
                        .filter(x -> "OK".equals(x.getAs("status")))
                        .sorted(Comparator.comparing(x -> x.<String>getAs("trial_id"))).toList();
                int keep = (previous.size() + search.eta() - 1) / search.eta();
                entering = Pareto.best(points(previous, search.objectives()), keep).stream()
                        .map(i -> previous.get(i).<String>getAs("trial_id")).sorted().toList();
            }
            perRung[r] = entering.size();
            if (r == rungs.length - 1) {
                reachedLast.addAll(entering);
            }
            List<Task> todo = new ArrayList<>();
            for (String id : entering) {
                Row d = done.get(id);
                if (d == null || (!"OK".equals(d.getAs("status")) && !"INFEASIBLE".equals(d.getAs("status")))) {
                    todo.add(new Task(byId.get(id), r, r == 0 ? Map.of() : carried(previousRows.get(id))));
                }
            }
            LOG.info("search {}: rung {} ({} epochs): {} candidates, {} to run", name, r, rungs[r], entering.size(),
                    todo.size());
            runTasks(spark, search, options.results(), todo, hadoop);
            Map<String, Row> rows = rowsAt(spark, options.results(), name, r);
            for (String id : entering) {
                Row x = rows.get(id);
                if (x != null && "INFEASIBLE".equals(x.getAs("status"))) {
                    infeasible++;
                } else if (x != null && "OK".equals(x.getAs("status"))) {
                    epochs += rungs[r] - (r == 0 ? 0 : rungs[r - 1]);
                }
            }
        }
        return new Outcome(perRung, infeasible, epochs, front(spark, search, options.results()));
    }

    /**
     * The hypervolume of {@code front} in {@code search}'s minimised objectives, against
     * {@code reference} (see {@link SearchSpec#reference}).
     */
    public static double hypervolume(SearchSpec search, List<Member> front, double[] reference) {
        List<double[]> p = new ArrayList<>();
        for (Member m : front) {
            double[] v = new double[search.objectives().size()];
            for (int k = 0; k < v.length; k++) {
                Objective o = search.objectives().get(k);
                v[k] = o.minimised(m.values().get(o.metric()));
            }
            p.add(v);
        }
        return Pareto.hypervolume(p, reference);
    }

    /** The non-dominated OK rows of the last rung, in trial id order. */
    static List<Member> front(SparkSession spark, SearchSpec search, String results) {
        int last = search.rungs().length - 1;
        List<Row> rows = rowsAt(spark, results, search.candidates().name(), last).values().stream()
                .filter(x -> "OK".equals(x.getAs("status")))
                .sorted(Comparator.comparing(x -> x.<String>getAs("trial_id"))).toList();
        List<Member> out = new ArrayList<>();
        for (int i : Pareto.front(points(rows, search.objectives()))) {
            Row x = rows.get(i);
            Map<String, Double> v = new LinkedHashMap<>();
            search.objectives().forEach(o -> v.put(o.metric(), value(x, o.metric())));
            search.constraints().forEach(c -> v.putIfAbsent(c.metric(), value(x, c.metric())));
            String id = x.getAs("trial_id");
            Path dir = checkpoint(results, search.candidates().name(), id, last);
            // a local path where it is one, so it can be passed to `export --model-dir` as it is
            String where = "file".equals(dir.toUri().getScheme()) ? dir.toUri().getPath() : dir.toString();
            out.add(new Member(id, last, v, where));
        }
        return out;
    }

    private static List<double[]> points(List<Row> rows, List<Objective> objectives) {
        List<double[]> p = new ArrayList<>();
        for (Row x : rows) {
            double[] v = new double[objectives.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = objectives.get(k).minimised(value(x, objectives.get(k).metric()));
            }
            p.add(v);
        }
        return p;
    }

    private static double value(Row x, String metric) {
        Object v = x.getAs(metric);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /** The measurements of the pruned network a later rung keeps (they do not change with training). */
    private static Map<String, Object> carried(Row previous) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String c : ResultSchema.metricColumns()) {
            if (!Set.of("top1", "top1_best", "top5", "loss", "train_ms", "eval_ms", "trial_ms").contains(c)) {
                Object v = previous.getAs(c);
                if (v != null) {
                    m.put(c, v);
                }
            }
        }
        return m;
    }

    /** The rows of rung {@code rung} by trial id (none when the search has no rows yet). */
    static Map<String, Row> rowsAt(SparkSession spark, String results, String name, int rung) {
        ResultScan scan = ResultStore.scan(results, name, spark.sparkContext().hadoopConfiguration());
        if (scan.rows().isEmpty()) {
            return Map.of();
        }
        Dataset<Row> all = spark.read().option("mergeSchema", "true").parquet(scan.paths().toArray(String[]::new));
        if (!List.of(all.columns()).contains("rung")) {
            return Map.of();
        }
        Map<String, Row> out = new HashMap<>();
        for (Row x : all.filter(all.col("rung").equalTo(rung)).collectAsList()) {
            out.put(x.getAs("trial_id"), x);
        }
        return out;
    }

    /** A candidate's work at one rung; {@code carried} holds rung 0's measurements for later rungs. */
    record Task(TrialConfig trial, int rung, Map<String, Object> carried) implements java.io.Serializable {}

    private static void runTasks(SparkSession spark, SearchSpec search, String results, List<Task> todo,
            Configuration hadoop) {
        if (todo.isEmpty()) {
            return;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Map<String, String> confMap = new HashMap<>();
        hadoop.forEach(e -> confMap.put(e.getKey(), e.getValue()));
        Broadcast<Map<String, String>> conf = jsc.broadcast(confMap);
        String name = search.candidates().name();
        int[] rungs = search.rungs();
        List<SearchSpec.Constraint> constraints = search.constraints();
        boolean onnx = search.needsOnnx();
        jsc.parallelize(todo, todo.size()).foreach(task -> {
            TaskContext tc = TaskContext.get();
            Engines.setThreads(tc == null ? 1 : tc.cpus());
            String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
            Configuration c = new Configuration(false);
            conf.value().forEach(c::set);
            // the same logging context as a sweep's trials (TrialRunner), so candidates training
            // side by side can be told apart in the log
            try (org.slf4j.MDC.MDCCloseable log = org.slf4j.MDC.putCloseable(TrialRunner.LOG_KEY,
                    task.trial().trialId())) {
                TrialResult r = runRung(task, rungs, constraints, onnx, results, name, c, executor);
                TrialRowWriter.write(r, name, results, c, rowName(task.trial().trialId(), task.rung()));
            }
        });
    }

    static String rowName(String trialId, int rung) {
        return trialId + "-r" + rung;
    }

    static Path checkpoint(String results, String name, String trialId, int rung) {
        return new Path(new Path(new Path(ResultStore.sweepDir(results, name), CHECKPOINTS), trialId), "r" + rung);
    }

    /** One rung of one candidate: a row, never an exception (a failure is a FAILED row). */
    static TrialResult runRung(Task task, int[] rungs, List<SearchSpec.Constraint> constraints, boolean onnx,
            String results, String name, Configuration conf, String executor) {
        TrialConfig t = task.trial();
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("rung", task.rung());
        try {
            ImageDataset data = DATASETS.get(t.dataset(), t.dataUri());
            InputTransform input = InputTransform.of(data);
            NetworkTrainer trainer = new NetworkTrainer(t.training()).optStopAfter(rungs[task.rung()]);
            TrainingResult tr;
            List<org.reconvene.prune.LayerReport> layers = List.of();
            java.nio.file.Path work = Files.createTempDirectory("reconvene-ckpt-");
            java.nio.file.Path out = work.resolve("out");
            try {
                if (task.rung() == 0) {
                    ModelSpec spec = InputFit.specFor(Architectures.get(t.model()), data);
                    try (PrunedNetwork p = PrunedNetwork.builder().setSpec(spec).setConfig(t.pruning())
                            .setSeed(t.seed()).optDataset(data).build()) {
                        metrics.put("prune_ms", p.result().pruneMs());
                        long m0 = System.nanoTime();
                        metrics.putAll(onnx ? p.measure(t.latencyRuns(), input) : p.measure(t.latencyRuns()));
                        metrics.put("measure_ms", (System.nanoTime() - m0) / 1_000_000);
                        layers = p.result().layers();
                        List<String> broken = new ArrayList<>();
                        for (SearchSpec.Constraint c : constraints) {
                            Object v = metrics.get(c.metric());
                            String why = v == null ? c.metric() + " was not measured"
                                    : c.violation(((Number) v).doubleValue());
                            if (why != null) {
                                broken.add(why);
                            }
                        }
                        if (!broken.isEmpty()) {
                            // Measured, never trained: the point of checking before training.
                            metrics.put("trial_ms", (System.nanoTime() - t0) / 1_000_000);
                            return new TrialResult(t.trialId(), TrialResult.Status.INFEASIBLE, null,
                                    String.join("; ", broken), t.toMap(), metrics, layers, List.of(),
                                    Provenance.capture(executor, started).toMap());
                        }
                        tr = trainer.train(p.network(), data);
                        save(p.network(), trainer.optimizerState(), input, out);
                    }
                } else {
                    metrics.putAll(task.carried());
                    metrics.put("rung", task.rung());
                    Path from = checkpoint(results, name, t.trialId(), task.rung() - 1);
                    FileSystem fs = from.getFileSystem(conf);
                    java.nio.file.Path in = Files.createDirectories(work.resolve("in"));
                    for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(from)) {
                        fs.copyToLocalFile(false, f.getPath(), new Path(in.resolve(f.getPath().getName()).toUri()), true);
                    }
                    try (Network net = NetworkStore.load(in)) {
                        tr = trainer.optResume(OptimizerState.read(in.resolve("optimizer.bin"))).train(net, data);
                        save(net, trainer.optimizerState(), input, out);
                    }
                }
                publish(out, checkpoint(results, name, t.trialId(), task.rung()), conf);
            } finally {
                deleteTree(work);
            }
            metrics.putAll(tr.metrics(data.numClasses()));
            metrics.put("trial_ms", (System.nanoTime() - t0) / 1_000_000);
            return new TrialResult(t.trialId(), TrialResult.Status.OK, null, null, t.toMap(), metrics, layers,
                    tr.history(), Provenance.capture(executor, started).toMap());
        } catch (Throwable e) {
            return TrialResult.failed(t, e, metrics, Provenance.capture(executor, started).toMap());
        }
    }

    private static void save(Network net, OptimizerState s, InputTransform input, java.nio.file.Path dir) {
        NetworkStore.save(net, dir);
        s.write(dir.resolve("optimizer.bin"));
        input.write(dir);
    }

    /** Copies a local checkpoint to its place, replacing an older copy of the same rung. */
    private static void publish(java.nio.file.Path local, Path target, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        fs.delete(target, true);
        fs.mkdirs(target);
        try (var files = Files.list(local)) {
            for (java.nio.file.Path f : files.collect(Collectors.toList())) {
                fs.copyFromLocalFile(false, true, new Path(f.toUri()), new Path(target, f.getFileName().toString()));
            }
        }
    }

    private static void deleteTree(java.nio.file.Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
