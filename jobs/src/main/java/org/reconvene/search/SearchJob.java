package org.reconvene.search;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.reconvene.data.FileTrees;
import org.reconvene.metrics.MetricValues;
import org.reconvene.pareto.Objective;
import org.reconvene.pareto.Pareto;
import org.reconvene.provenance.Provenance;
import org.reconvene.prune.LayerReport;
import org.reconvene.results.ResultTable;
import org.reconvene.sweep.SparkTasks;
import org.reconvene.sweep.SweepJob;
import org.reconvene.sweep.SweepSpec;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialPlan;
import org.reconvene.trial.TrialResult;
import org.reconvene.trial.TrialRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A budget search ({@link SearchSpec}) on Spark: the most accurate networks that fit a device,
 * training only the candidates that can.
 *
 * <p>Run it with {@code bin/reconvene search conf/search/quick.yaml}. Rung 0 prunes and measures
 * every candidate in parallel before training; a candidate whose pruned network breaks a
 * constraint is an {@code INFEASIBLE} row and never trains. The feasible ones train to the first
 * rung. Each later rung ranks the previous rung's rows by non-dominated sorting on the objectives
 * (ties by crowding distance, then trial id: {@link Pareto#best}), promotes {@code ceil(n / eta)}
 * of them, and continues each from its checkpoint (network, masks and optimizer state) to the next
 * rung's epochs. A rung of a trial is a trial run through {@link TrialRunner} with a
 * {@link TrialPlan}, so its row has every column a sweep trial's has; each is its own committed
 * row ({@code TRIAL_ID-rN}), its checkpoint published whole ({@link ResultTable#publishCheckpoint}),
 * so {@code --resume} continues where a search stopped.
 *
 * <p>A search sees only its own candidates: rows in the same directory of other trial ids (an
 * earlier version of the file with another space or budget) are neither ranked nor in the front.
 */
public final class SearchJob {

    private static final Logger LOG = LoggerFactory.getLogger(SearchJob.class);

    /** How a search runs. */
    public record Options(String results, boolean resume) {}

    /** One member of the front: its row's id, rung, objective and constraint values, and its model. */
    public record Member(String trialId, int rung, Map<String, Double> values, String modelDir) {}

    /**
     * What a run did: candidates per rung (index), infeasible candidates, the epochs this run
     * trained (0 for a resume with nothing left), the epochs its OK rows represent (however many
     * runs trained them), and the front.
     */
    public record Outcome(int[] candidatesPerRung, int infeasible, long epochsTrained, long epochsInRows,
            List<Member> front) {}

    /** A candidate's work at one rung; {@code carried} and {@code layers} are rung 0's for later rungs. */
    record Task(TrialConfig trial, int rung, MetricValues carried, List<LayerReport> layers) implements Serializable {}

    private SearchJob() {}

    /** Runs {@code search} on {@code spark}. */
    public static Outcome run(SparkSession spark, SearchSpec search, Options options) {
        SweepSpec spec = search.candidates();
        String name = spec.name();
        SweepJob.checkData(spec, spark.sparkContext().hadoopConfiguration());
        ResultTable table = ResultTable.at(options.results(), spark.sparkContext().hadoopConfiguration()).requireUsable();
        table.cleanStaging(name);
        SweepJob.prepareData(spec, table.conf());
        int[] rungs = search.rungs();
        int[] perRung = new int[rungs.length];
        Map<String, TrialConfig> byId = new LinkedHashMap<>();
        spec.trials().forEach(t -> byId.put(t.trialId(), t));
        List<String> entering = byId.keySet().stream().sorted().toList();
        long epochs = 0;
        long epochsInRows = 0;
        int infeasible = 0;
        for (int r = 0; r < rungs.length; r++) {
            if (r > 0) {
                entering = promoted(search, rowsAt(spark, table, name, r - 1, byId.keySet()));
            }
            perRung[r] = entering.size();
            Map<String, Row> done = options.resume() ? rowsAt(spark, table, name, r, byId.keySet()) : Map.of();
            Map<String, Row> previous = r == 0 ? Map.of() : rowsAt(spark, table, name, r - 1, byId.keySet());
            List<Task> todo = new ArrayList<>();
            for (String id : entering) {
                if (!finished(table, name, done.get(id), r)) {
                    todo.add(r == 0 ? new Task(byId.get(id), 0, null, null)
                            : new Task(byId.get(id), r, MetricValues.fromColumns(values(previous.get(id))),
                                    layers(previous.get(id))));
                }
            }
            LOG.info("search {}: rung {} ({} epochs): {} candidates, {} to run", name, r, rungs[r], entering.size(),
                    todo.size());
            runTasks(spark, search, table, todo);
            Map<String, Row> rows = rowsAt(spark, table, name, r, byId.keySet());
            Set<String> ran = new HashSet<>();
            todo.forEach(t -> ran.add(t.trial().trialId()));
            for (String id : entering) {
                Row x = rows.get(id);
                if (x != null && "INFEASIBLE".equals(x.getAs("status"))) {
                    infeasible++;
                } else if (x != null && "OK".equals(x.getAs("status"))) {
                    int trained = rungs[r] - (r == 0 ? 0 : rungs[r - 1]);
                    epochsInRows += trained;
                    // what this run trained: a resume reports the epochs it spent
                    epochs += ran.contains(id) ? trained : 0;
                }
            }
        }
        return new Outcome(perRung, infeasible, epochs, epochsInRows, front(spark, search, table, entering));
    }

    /**
     * Whether rung {@code r} of a trial needs no work: its row is INFEASIBLE, or OK with a complete
     * checkpoint (a checkpoint cut short by a crash is redone with its rung).
     */
    private static boolean finished(ResultTable table, String name, Row row, int r) {
        if (row == null) {
            return false;
        }
        String status = row.getAs("status");
        if ("INFEASIBLE".equals(status)) {
            return true;
        }
        if (!"OK".equals(status)) {
            return false;
        }
        if (!table.checkpointComplete(name, row.getAs("trial_id"), r)) {
            LOG.warn("search {}: rung {} of {} has a row but no complete checkpoint; running it again", name, r,
                    row.<String>getAs("trial_id"));
            return false;
        }
        return true;
    }

    /** The trial ids promoted from the previous rung's rows: the best ceil(n / eta) of its OK rows. */
    private static List<String> promoted(SearchSpec search, Map<String, Row> previousRows) {
        List<Row> previous = previousRows.values().stream().filter(x -> "OK".equals(x.getAs("status")))
                .sorted(Comparator.comparing(x -> x.<String>getAs("trial_id"))).toList();
        int keep = (previous.size() + search.eta() - 1) / search.eta();
        return Pareto.best(points(previous, search.objectives()), keep).stream()
                .map(i -> previous.get(i).<String>getAs("trial_id")).sorted().toList();
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

    /** The non-dominated OK rows of the last rung among {@code reachedLast}, in trial id order. */
    static List<Member> front(SparkSession spark, SearchSpec search, ResultTable table, List<String> reachedLast) {
        int last = search.rungs().length - 1;
        String name = search.candidates().name();
        List<Row> rows = rowsAt(spark, table, name, last, Set.copyOf(reachedLast)).values().stream()
                .filter(x -> "OK".equals(x.getAs("status")))
                .sorted(Comparator.comparing(x -> x.<String>getAs("trial_id"))).toList();
        List<Member> out = new ArrayList<>();
        for (int i : Pareto.front(points(rows, search.objectives()))) {
            Row x = rows.get(i);
            Map<String, Double> v = new LinkedHashMap<>();
            search.objectives().forEach(o -> v.put(o.metric(), value(x, o.metric())));
            search.constraints().forEach(c -> v.putIfAbsent(c.metric(), value(x, c.metric())));
            String id = x.getAs("trial_id");
            out.add(new Member(id, last, v, table.checkpointLocation(name, id, last)));
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

    /** A row's scalar values by column. */
    private static Map<String, Object> values(Row row) {
        Map<String, Object> m = new HashMap<>();
        for (String c : row.schema().fieldNames()) {
            m.put(c, row.getAs(c));
        }
        return m;
    }

    /** A row's per-layer detail, as the rung that measured it reported it. */
    private static List<LayerReport> layers(Row row) {
        List<LayerReport> out = new ArrayList<>();
        List<Row> list = row.getList(row.fieldIndex("layers"));
        for (Row l : list == null ? List.<Row>of() : list) {
            Double sensitivity = l.getAs("sensitivity");
            out.add(new LayerReport(l.getAs("name"), l.<Long>getAs("weights"), l.<Long>getAs("nonzero"),
                    l.<Double>getAs("density"), l.<Integer>getAs("width_before"), l.<Integer>getAs("width_after"),
                    sensitivity == null ? Double.NaN : sensitivity, l.<Boolean>getAs("rectified")));
        }
        return out;
    }

    /** The rows of rung {@code rung} of this search's own trials, by trial id (none before its first rows). */
    static Map<String, Row> rowsAt(SparkSession spark, ResultTable table, String name, int rung, Set<String> ids) {
        Dataset<Row> all = table.rowsIfAny(spark, name);
        Map<String, Row> out = new HashMap<>();
        if (all == null) {
            return out;
        }
        for (Row x : all.filter(all.col("rung").equalTo(rung)).collectAsList()) {
            String id = x.getAs("trial_id");
            if (ids.contains(id)) {
                out.put(id, x);
            }
        }
        return out;
    }

    private static void runTasks(SparkSession spark, SearchSpec search, ResultTable table, List<Task> todo) {
        String name = search.candidates().name();
        int[] rungs = search.rungs();
        List<SearchSpec.Constraint> constraints = search.constraints();
        boolean quantizes = search.quantizes();
        SparkTasks.forEach(spark, todo, 0, table, (task, context) -> {
            ResultTable results = context.results();
            String id = task.trial().trialId();
            Path in = task.rung() == 0 ? null : Files.createTempDirectory("reconvene-rung-");
            try {
                TrialPlan.Builder plan = TrialPlan.builder().optRung(task.rung()).optStopAfter(rungs[task.rung()])
                        .optCheckpoint(dir -> results.publishCheckpoint(name, id, task.rung(), dir));
                if (quantizes) {
                    plan.optInt8(org.reconvene.deploy.Int8Export.DEFAULT_CALIBRATION_BATCHES);
                }
                TrialResult r;
                try {
                    if (task.rung() == 0) {
                        plan.optConstraints(m -> SearchSpec.violations(constraints, m));
                    } else {
                        results.fetchCheckpoint(name, id, task.rung() - 1, in);
                        plan.optResume(new TrialPlan.Checkpoint(in, task.carried(), task.layers()));
                    }
                    r = new TrialRunner(SparkTasks.DATASETS).run(task.trial(), plan.build(), context.executor());
                } catch (IOException e) {
                    // the previous rung's checkpoint could not be read: this rung fails, the search goes on
                    r = TrialResult.failed(task.trial(), task.rung(), e, new MetricValues(),
                            Provenance.capture(context.executor(), java.time.Instant.now()).toMap());
                }
                results.commitOrFail(name, r);
            } finally {
                if (in != null) {
                    FileTrees.delete(in);
                }
            }
        });
    }
}
