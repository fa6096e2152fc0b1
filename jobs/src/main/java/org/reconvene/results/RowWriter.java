package org.reconvene.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.reconvene.prune.LayerReport;
import org.reconvene.train.EpochStats;
import org.reconvene.trial.TrialResult;

/**
 * Commits one trial's result row as its own Parquet file, {@code RESULTS/sweep=NAME/ROW.parquet}
 * ({@link ResultTable#rowName}).
 *
 * <p>Called by the task that ran the trial, right after it ends, so a crash of the driver or of
 * another executor never loses a finished trial. The row is written in full under the sweep's
 * hidden staging directory and published by one atomic replacing rename ({@link ResultTable}):
 * readers see the trial's previous row or its new one, never half a row and never none. The
 * name is the trial id (and rung), so a retried or rerun trial replaces its row instead of adding
 * a second.
 */
public final class RowWriter {

    /**
     * Test hook: milliseconds to wait between staging a row and publishing it, so that a test can
     * kill the JVM mid-commit. Unset (0) outside the crash tests.
     */
    public static final String PAUSE_BEFORE_PUBLISH_MS = "reconvene.test.pauseBeforePublishMs";
    /**
     * Test hook: the trial id whose finished (not FAILED) rows fail to commit, as on a full disk, so
     * that a test can show the trial becoming a FAILED row. Unset outside the fault tests.
     */
    public static final String FAIL_COMMIT_OF = "reconvene.test.failCommitOf";

    private RowWriter() {}

    /** Writes {@code r} as its row in {@code sweep} of {@code table}. */
    static void write(ResultTable table, String sweep, TrialResult r) {
        String name = ResultTable.rowName(r.trialId(), r.rung());
        Path target = table.rowPath(sweep, r.trialId(), r.rung());
        Path staged = table.stagingPath(sweep, name);
        Group row = row(r, sweep);
        try {
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(table.output(staged))
                    .withType(ResultSchema.SCHEMA)
                    .withConf(table.conf())
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .build()) {
                w.write(row);
            }
            pauseForCrashTest();
            if (r.trialId().equals(System.getProperty(FAIL_COMMIT_OF)) && r.status() != TrialResult.Status.FAILED) {
                throw new IOException("No space left on device (simulated by " + FAIL_COMMIT_OF + ")");
            }
            table.publish(staged, target);
        } catch (IOException | RuntimeException e) {
            table.discard(staged);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new UncheckedIOException("cannot commit the row of trial " + r.trialId() + " to " + target, (IOException) e);
        }
    }

    private static void pauseForCrashTest() {
        long ms = Long.getLong(PAUSE_BEFORE_PUBLISH_MS, 0L);
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Group row(TrialResult r, String sweepId) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("sweep_id", sweepId);
        values.put("trial_id", r.trialId());
        values.put("status", r.status().name());
        values.put("error_class", r.errorClass());
        values.put("error_message", r.errorMessage());
        values.put("rung", r.rung());
        values.putAll(r.config());
        values.putAll(r.metrics().toMap());
        values.putAll(r.provenance());
        Map<String, ResultSchema.Kind> declared = ResultSchema.scalars();
        for (String k : values.keySet()) {
            if (!declared.containsKey(k)) {
                // A renamed or new metric would otherwise vanish from every row without a word.
                throw new IllegalStateException("trial " + r.trialId() + " produced '" + k + "', which has no column "
                        + "in ResultSchema; declare it there");
            }
        }
        Group g = new SimpleGroupFactory(ResultSchema.SCHEMA).newGroup();
        for (Map.Entry<String, ResultSchema.Kind> c : ResultSchema.scalars().entrySet()) {
            append(g, c.getKey(), c.getValue(), values.get(c.getKey()));
        }
        Group layers = g.addGroup("layers");
        for (LayerReport l : r.layers()) {
            Group e = layers.addGroup("list").addGroup("element");
            append(e, "name", ResultSchema.Kind.STRING, l.name());
            append(e, "weights", ResultSchema.Kind.LONG, l.weights());
            append(e, "nonzero", ResultSchema.Kind.LONG, l.nonzero());
            append(e, "density", ResultSchema.Kind.DOUBLE, l.density());
            append(e, "width_before", ResultSchema.Kind.INT, l.widthBefore());
            append(e, "width_after", ResultSchema.Kind.INT, l.widthAfter());
            append(e, "sensitivity", ResultSchema.Kind.DOUBLE, Double.isNaN(l.sensitivity()) ? null : l.sensitivity());
            append(e, "rectified", ResultSchema.Kind.BOOLEAN, l.rectified());
        }
        Group history = g.addGroup("history");
        for (EpochStats s : r.history()) {
            Group e = history.addGroup("list").addGroup("element");
            append(e, "epoch", ResultSchema.Kind.INT, s.epoch());
            append(e, "lr", ResultSchema.Kind.DOUBLE, s.learningRate());
            append(e, "train_loss", ResultSchema.Kind.DOUBLE, s.trainLoss());
            append(e, "train_top1", ResultSchema.Kind.DOUBLE, s.trainTop1());
            append(e, "test_loss", ResultSchema.Kind.DOUBLE, s.testLoss());
            append(e, "test_top1", ResultSchema.Kind.DOUBLE, s.testTop1());
            append(e, "test_top5", ResultSchema.Kind.DOUBLE, s.testTop5());
            append(e, "ms", ResultSchema.Kind.LONG, s.millis());
        }
        return g;
    }

    private static void append(Group g, String name, ResultSchema.Kind kind, Object v) {
        if (v == null) {
            return;
        }
        switch (kind) {
            case STRING -> g.append(name, v.toString());
            case DOUBLE -> g.append(name, ((Number) v).doubleValue());
            case LONG -> g.append(name, ((Number) v).longValue());
            case INT -> g.append(name, ((Number) v).intValue());
            case BOOLEAN -> g.append(name, (Boolean) v);
        }
    }
}
