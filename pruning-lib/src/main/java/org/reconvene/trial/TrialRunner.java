package org.reconvene.trial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.reconvene.data.FileTrees;
import org.reconvene.data.ImageDataset;
import org.reconvene.deploy.InputTransform;
import org.reconvene.deploy.Int8Measurements;
import org.reconvene.deploy.OnnxExport;
import org.reconvene.deploy.OnnxModel;
import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.provenance.Provenance;
import org.reconvene.prune.LayerReport;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.train.NetworkTrainer;
import org.reconvene.train.OptimizerState;
import org.reconvene.train.TrainingResult;

/**
 * Runs one trial, or the part of it a {@link TrialPlan} names: build the model from the trial
 * seed and prune it (or load the checkpoint a search rung continues from), check constraints,
 * train, measure, export and checkpoint, and return the result row. A sweep's trials and a
 * search's rungs both come through here, so their rows are made the same way.
 *
 * <p>Any exception, a diverging loss included, becomes a FAILED result with the error's class and
 * message; the runner never throws for a bad trial, so a sweep goes on. A runner is cheap; it
 * shares a {@link DatasetCache} with the other runners of its JVM. The trial's log lines carry its
 * id in the logging context ({@value #LOG_KEY}), so trials running side by side can be told apart.
 */
public final class TrialRunner {

    /** The logging-context key under which a trial's log lines carry its id. */
    public static final String LOG_KEY = "trial";
    /** The optimizer state's file in a checkpoint directory. */
    public static final String OPTIMIZER_FILE = "optimizer.bin";

    private final DatasetCache datasets;

    /** A runner loading datasets through {@code datasets}. */
    public TrialRunner(DatasetCache datasets) {
        this.datasets = Objects.requireNonNull(datasets, "datasets");
    }

    /** Runs the whole of {@code trial} on this thread; {@code executor} names where, for the provenance. */
    public TrialResult run(TrialConfig trial, String executor) {
        return run(trial, TrialPlan.whole(), executor);
    }

    /** Runs {@code trial} as {@code plan} says, on this thread. */
    public TrialResult run(TrialConfig trial, TrialPlan plan, String executor) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        MetricValues metrics = new MetricValues();
        try (org.slf4j.MDC.MDCCloseable logContext = org.slf4j.MDC.putCloseable(LOG_KEY, trial.trialId())) {
            ImageDataset data = datasets.get(trial.dataset(), trial.dataUri(), trial.architecture().inputSize());
            InputTransform input = InputTransform.of(data);
            NetworkTrainer trainer = new NetworkTrainer(trial.training()).onProgress(plan.progress());
            if (plan.stopAfter() > 0) {
                trainer.optStopAfter(plan.stopAfter());
            }
            Outcome o = plan.resume() == null
                    ? fresh(trial, plan, data, input, trainer, metrics)
                    : resumed(trial, plan, data, input, trainer, metrics);
            metrics.put(Metric.TRIAL_MS, (System.nanoTime() - t0) / 1_000_000);
            Map<String, Object> provenance = Provenance.capture(executor, started).toMap();
            if (o.violation() != null) {
                // Measured, never trained: the point of checking before training.
                return new TrialResult(trial.trialId(), plan.rung(), TrialResult.Status.INFEASIBLE, null, o.violation(),
                        trial.toMap(), metrics, o.layers(), List.of(), provenance);
            }
            metrics.putAll(o.training().metrics(data.numClasses()));
            return new TrialResult(trial.trialId(), plan.rung(), TrialResult.Status.OK, null, null, trial.toMap(),
                    metrics, o.layers(), o.training().history(), provenance);
        } catch (Throwable t) {
            return TrialResult.failed(trial, plan.rung(), t, metrics, Provenance.capture(executor, started).toMap());
        }
    }

    /** What one run produced: training (null when a constraint stopped it), layers, the broken constraints. */
    private record Outcome(TrainingResult training, List<LayerReport> layers, String violation) {}

    /** Prunes a fresh network, checks constraints (measuring first), trains, measures, hands on. */
    private Outcome fresh(TrialConfig trial, TrialPlan plan, ImageDataset data, InputTransform input,
            NetworkTrainer trainer, MetricValues metrics) throws IOException {
        try (PrunedNetwork p = PrunedNetwork.builder()
                .setSpec(InputFit.specFor(trial.architecture(), data))
                .setConfig(trial.pruning()).setSeed(trial.seed()).optDataset(data).build()) {
            metrics.put(Metric.PRUNE_MS, p.result().pruneMs());
            List<LayerReport> layers = p.result().layers();
            boolean measureFirst = plan.constraints() != null;
            if (measureFirst) {
                measure(p, trial, plan, data, input, metrics);
                String violation = plan.constraints().apply(metrics);
                if (violation != null) {
                    return new Outcome(null, layers, violation);
                }
            }
            TrainingResult tr = trainer.train(p.network(), data);
            if (!measureFirst) {
                measure(p, trial, plan, data, input, metrics);
            }
            handOn(trial, plan, p.network(), trainer, data, input, tr, metrics);
            return new Outcome(tr, layers, null);
        }
    }

    /** Continues a checkpointed network: the measurements and layers are the first rung's. */
    private Outcome resumed(TrialConfig trial, TrialPlan plan, ImageDataset data, InputTransform input,
            NetworkTrainer trainer, MetricValues metrics) throws IOException {
        TrialPlan.Checkpoint from = plan.resume();
        metrics.putAll(from.measured());
        try (Network net = NetworkStore.load(from.dir())) {
            trainer.optResume(OptimizerState.read(from.dir().resolve(OPTIMIZER_FILE)));
            TrainingResult tr = trainer.train(net, data);
            handOn(trial, plan, net, trainer, data, input, tr, metrics);
            return new Outcome(tr, from.layers(), null);
        }
    }

    /**
     * Size, compute and latency in libtorch and ONNX Runtime (docs/METHOD.md section 7), of the
     * int8 files too where the plan quantizes, and how long that took.
     */
    private static void measure(PrunedNetwork p, TrialConfig trial, TrialPlan plan, ImageDataset data,
            InputTransform input, MetricValues metrics) {
        long m0 = System.nanoTime();
        metrics.putAll(p.measure(trial.latencyRuns(), input));
        if (plan.int8Batches() > 0) {
            OnnxModel int8 = Int8Measurements.quantize(p.network(), input, data, trial.seed(), plan.int8Batches());
            metrics.putAll(p.counterpart() == null ? Int8Measurements.of(int8, trial.latencyRuns())
                    : Int8Measurements.compare(Int8Measurements.quantize(p.counterpart(), input, data, trial.seed(),
                            plan.int8Batches()), int8, trial.latencyRuns()));
        }
        metrics.put(Metric.MEASURE_MS, (System.nanoTime() - m0) / 1_000_000);
    }

    /** Exports and checkpoints the trained network where the plan says. */
    private static void handOn(TrialConfig trial, TrialPlan plan, Network net, NetworkTrainer trainer,
            ImageDataset data, InputTransform input, TrainingResult tr, MetricValues metrics) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>(trial.toMap());
        meta.put("trial_id", trial.trialId());
        meta.put("top1", tr.top1());
        // what each output means: the dataset's class names in label order (folder names for class folders)
        meta.put("labels", new com.google.gson.Gson().toJson(data.classNames()));
        if (plan.int8Batches() > 0) {
            // the trained network's int8 file: its top-1 on the whole test split, and the file shipped
            OnnxModel int8 = Int8Measurements.quantize(net, input, data, trial.seed(), plan.int8Batches(), meta);
            metrics.putAll(Int8Measurements.top1(int8, data));
            if (plan.deployment() != null) {
                plan.deployment().acceptInt8(trial, int8);
            }
        }
        if (plan.deployment() != null) {
            plan.deployment().accept(trial, OnnxExport.builder().setNetwork(net).setInput(input).optMetadata(meta)
                    .build());
        }
        if (plan.checkpoint() != null) {
            Path dir = Files.createTempDirectory("reconvene-checkpoint-");
            try {
                NetworkStore.save(net, dir);
                trainer.optimizerState().write(dir.resolve(OPTIMIZER_FILE));
                input.write(dir);
                plan.checkpoint().accept(dir);
            } finally {
                FileTrees.delete(dir);
            }
        }
    }
}
