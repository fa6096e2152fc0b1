package org.reconvene.sweep;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.reconvene.train.Progress;
import org.reconvene.trial.TrialConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The sweep driver's view of its trials while they run: which trials are running, the epoch and
 * batch each has reached and its rate, how many are done, and the ETA once one has finished. Logged every
 * {@link #EVERY} whatever the output is (a terminal, a file, a scheduler's log), and told to a
 * progress bar each second.
 *
 * <p>Each task counts its batches into two accumulators ({@link #taskProgress}); Spark sends a
 * running task's accumulator updates to the driver with its executor's heartbeats (every 10 s by
 * default), which this listener reads per task. Tasks map to trials by their index: one trial
 * per partition, in the order of the list run.
 */
final class SweepProgress extends SparkListener implements AutoCloseable {

    /** How often a line is logged. */
    static final Duration EVERY = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(SweepJob.class);

    /** A running trial as the driver last heard of it. */
    private static final class Running {
        final TrialConfig trial;
        final long startNanos = System.nanoTime();
        volatile long batches;
        volatile long total;
        volatile long firstBatches = -1;
        volatile long firstNanos;
        volatile long lastNanos;

        Running(TrialConfig trial) {
            this.trial = trial;
        }
    }

    private final SparkSession spark;
    private final String sweep;
    private final List<TrialConfig> todo;
    private final LongAccumulator done;
    private final LongAccumulator failed;
    private final LongAccumulator batches;
    private final LongAccumulator totals;
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final long t0 = System.nanoTime();
    private final ScheduledExecutorService clock;

    SweepProgress(SparkSession spark, String sweep, List<TrialConfig> todo, Progress bar) {
        this.spark = spark;
        this.sweep = sweep;
        this.todo = List.copyOf(todo);
        this.done = spark.sparkContext().longAccumulator("trials done");
        this.failed = spark.sparkContext().longAccumulator("trials failed");
        this.batches = spark.sparkContext().longAccumulator("batches done");
        this.totals = spark.sparkContext().longAccumulator("batches total");
        spark.sparkContext().addSparkListener(this);
        clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-progress");
            t.setDaemon(true);
            return t;
        });
        clock.scheduleAtFixedRate(() -> LOG.info("{}", line()), EVERY.toSeconds(), EVERY.toSeconds(), TimeUnit.SECONDS);
        clock.scheduleAtFixedRate(() -> bar.update(done.value(), todo.size()), 0, 1, TimeUnit.SECONDS);
    }

    LongAccumulator done() {
        return done;
    }

    LongAccumulator failed() {
        return failed;
    }

    /**
     * A {@link Progress} for a task (made on the executor): counts its batches into the
     * accumulators this listener reads.
     */
    static Progress taskProgress(LongAccumulator batches, LongAccumulator totals) {
        return new Progress() {
            private long last;
            private boolean totalSent;

            @Override
            public void update(long d, long total) {
                if (!totalSent) {
                    totals.add(total);
                    totalSent = true;
                }
                batches.add(d - last);
                last = d;
            }
        };
    }

    LongAccumulator batches() {
        return batches;
    }

    LongAccumulator totals() {
        return totals;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        int index = e.taskInfo().index();
        if (index >= 0 && index < todo.size()) {
            running.put(e.taskInfo().taskId(), new Running(todo.get(index)));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        running.remove(e.taskInfo().taskId());
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate e) {
        long now = System.nanoTime();
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> u
                : CollectionConverters.asJava(e.accumUpdates())) {
            Running r = running.get((Long) u._1());
            if (r == null) {
                continue;
            }
            for (AccumulableInfo info : CollectionConverters.asJava(u._4())) {
                if (info.update().isEmpty()) {
                    continue;
                }
                long v = ((Number) info.update().get()).longValue();
                if (info.id() == batches.id()) {
                    if (r.firstBatches < 0) {
                        r.firstBatches = v;
                        r.firstNanos = now;
                    }
                    r.batches = v;
                    r.lastNanos = now;
                } else if (info.id() == totals.id()) {
                    r.total = v;
                }
            }
        }
    }

    /** {@code sweep NAME: D of N trials done (F failed), R running: ID METHOD epoch E/T, batch B/N, R batches/s, ...; elapsed, ETA}. */
    String line() {
        long d = done.value();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        List<String> trials = new ArrayList<>();
        for (Running r : running.values()) {
            trials.add(describe(r));
        }
        trials.sort(null);
        String eta = d == 0 ? "after the first trial" : String.format(Locale.ROOT, "%.0f s",
                elapsed / d * (todo.size() - d));
        return String.format(Locale.ROOT, "sweep %s: %d of %d trials done (%d failed), %d running%s; %.0f s elapsed, "
                + "ETA %s", sweep, d, todo.size(), failed.value(), trials.size(),
                trials.isEmpty() ? "" : ": " + String.join(", ", trials), elapsed, eta);
    }

    private static String describe(Running r) {
        String id = r.trial.trialId().substring(0, 8);
        String method = r.trial.pruning().method().configName();
        if (r.total <= 0) {
            return String.format(Locale.ROOT, "%s %s pruning (%.0f s)", id, method,
                    (System.nanoTime() - r.startNanos) / 1e9);
        }
        double seconds = (r.lastNanos - r.firstNanos) / 1e9;
        double rate = seconds > 0 ? (r.batches - r.firstBatches) / seconds : Double.NaN;
        return training(id, method, r.trial.training().epochs(), r.batches, r.total, rate);
    }

    /**
     * {@code ID METHOD epoch E/T, batch B/N, R batches/s}: a training trial's part of the line.
     * {@code batches} and {@code total} count over all epochs; the batch shown is within the
     * current epoch, so a one-epoch trial of an hour shows how far it is, not only its rate. The
     * rate is left out while unknown (NaN).
     */
    static String training(String id, String method, int epochs, long batches, long total, double rate) {
        long perEpoch = Math.max(1, total / Math.max(1, epochs));
        long epoch = Math.min(epochs, batches / perEpoch + 1);
        long inEpoch = Math.min(perEpoch, batches - (epoch - 1) * perEpoch);
        String speed = Double.isNaN(rate) ? "" : String.format(Locale.ROOT, ", %.2f batches/s", rate);
        return String.format(Locale.ROOT, "%s %s epoch %d/%d, batch %d/%d%s", id, method, epoch, epochs, inEpoch,
                perEpoch, speed);
    }

    /** Logs the final line and stops listening. */
    @Override
    public void close() {
        clock.shutdownNow();
        spark.sparkContext().removeSparkListener(this);
        LOG.info("{}", line());
    }
}
