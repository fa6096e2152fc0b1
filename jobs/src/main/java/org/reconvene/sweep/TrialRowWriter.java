package org.reconvene.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.reconvene.prune.LayerReport;
import org.reconvene.train.EpochStats;
import org.reconvene.trial.TrialResult;

/**
 * Commits one trial's result row as its own Parquet file, {@code <results>/sweep=<id>/<trial>.parquet}.
 *
 * <p>Called by the task that ran the trial, right after it ends, so a crash of the driver or of
 * another executor never loses a finished trial. The file is written under a temporary name and
 * renamed into place, so readers never see half a row; the name is the trial id, so a retried or
 * rerun trial replaces its row instead of adding a second one.
 */
public final class TrialRowWriter {

    private TrialRowWriter() {}

    /** The directory holding a sweep's rows. */
    public static Path sweepDir(String resultsUri, String sweepId) {
        return new Path(new Path(resultsUri), "sweep=" + sweepId);
    }

    /** Writes {@code r} as the row of trial {@code r.trialId()} in sweep {@code sweepId}. */
    public static void write(TrialResult r, String sweepId, String resultsUri, Configuration conf) {
        Path dir = sweepDir(resultsUri, sweepId);
        Path target = new Path(dir, r.trialId() + ".parquet");
        Path tmp = new Path(dir, "_tmp-" + r.trialId() + "-" + UUID.randomUUID() + ".parquet");
        try {
            FileSystem fs = dir.getFileSystem(conf);
            fs.mkdirs(dir);
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(tmp, conf))
                    .withType(ResultSchema.SCHEMA)
                    .withConf(conf)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .build()) {
                w.write(row(r, sweepId));
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the row of trial " + r.trialId() + " to " + dir, e);
        }
    }

    static Group row(TrialResult r, String sweepId) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("sweep_id", sweepId);
        values.put("trial_id", r.trialId());
        values.put("status", r.status().name());
        values.put("error_class", r.errorClass());
        values.put("error_message", r.errorMessage());
        values.putAll(r.config());
        values.putAll(r.metrics());
        values.putAll(r.provenance());
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
            default -> throw new IllegalStateException(kind.toString());
        }
    }
}
