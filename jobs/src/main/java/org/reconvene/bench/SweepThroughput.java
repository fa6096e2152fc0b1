package org.reconvene.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.reconvene.report.Results;

/**
 * Sweep throughput on a standalone cluster of one-core executors, and where a trial's time goes.
 *
 * <p>Each run starts a fresh Master and {@code n} Workers of one core each on 127.0.0.1, submits
 * the application jar with the sweep, and reads the rows back. Throughput is trials per hour over
 * the span from the first trial's start to the last trial's finish (from the rows' provenance), so
 * JVM and Spark start-up, identical for every cluster size, do not dilute the comparison.
 * Per-trial overhead is the part of {@code trial_ms} outside pruning, training, evaluation and
 * measuring; task overhead is the part of the executors' time in the span not inside any trial
 * (scheduling, row writing, idle slots at the end).
 */
public final class SweepThroughput {

    /** One cluster size's figures. */
    public record Result(int executors, long trials, double spanSeconds, double wallSeconds, double trialOverhead,
            double taskOverhead) {

        /** Trials per hour over the span. */
        public double trialsPerHour() {
            return trials / spanSeconds * 3600;
        }
    }

    private SweepThroughput() {}

    /** Runs {@code sweep} on {@code executors} one-core executors; logs and results go under {@code work}. */
    public static Result run(SparkSession local, Path sparkHome, Path appJar, String addOpens, String djlCache,
            Path sweep, int executors, Path work) throws InterruptedException {
        Path results = work.resolve("results");
        long t0 = System.nanoTime();
        try (StandaloneCluster cluster = new StandaloneCluster(sparkHome, work, addOpens, djlCache)) {
            cluster.startMaster();
            for (int i = 1; i <= executors; i++) {
                cluster.startWorker("worker" + i, 1, "3g");
            }
            Process driver = cluster.submit("driver", appJar, "2g",
                    List.of("sweep", sweep.toAbsolutePath().toString(), "--results", results.toUri().toString()));
            if (!driver.waitFor(2, TimeUnit.HOURS) || driver.exitValue() != 0) {
                throw new IllegalStateException("the sweep on " + executors + " executors failed; see "
                        + work.resolve("driver.log"));
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Dataset<Row> rows = Results.load(local, results.toString()).filter("status = 'OK'");
        Row agg = rows.selectExpr("count(*)", "min(started)", "max(finished)", "sum(trial_ms)",
                "sum(prune_ms + train_ms + eval_ms + measure_ms)").first();
        long n = agg.getLong(0);
        double span = (Instant.parse(agg.getString(2)).toEpochMilli() - Instant.parse(agg.getString(1)).toEpochMilli())
                / 1000.0;
        double trialMs = agg.getLong(3);
        double partsMs = agg.getLong(4);
        return new Result(executors, n, span, wall, 1 - partsMs / trialMs, 1 - trialMs / 1000 / (executors * span));
    }
}
