package org.reconvene.trial;

import org.reconvene.deploy.InputTransform;
import org.reconvene.deploy.OnnxExport;
import org.reconvene.deploy.OnnxModel;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.data.ImageDataset;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.provenance.Provenance;
import org.reconvene.prune.PruneResult;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.train.NetworkTrainer;
import org.reconvene.train.TrainingResult;

/**
 * Runs one trial end to end: build the model from the trial seed, prune it, train it briefly,
 * measure it, and return the result row.
 *
 * <p>Any exception, a diverging loss included, becomes a FAILED result with the error's class and
 * message; the runner never throws for a bad trial, so a sweep goes on. A runner is cheap; it
 * shares a {@link DatasetCache} with the other runners of its JVM.
 */
public final class TrialRunner {

    /** The logging-context key under which a trial's log lines carry its id. */
    public static final String LOG_KEY = "trial";

    private final DatasetCache datasets;
    private final Deployment deployment;

    /** A runner loading datasets through {@code datasets}. */
    public TrialRunner(DatasetCache datasets) {
        this(datasets, null);
    }

    private TrialRunner(DatasetCache datasets, Deployment deployment) {
        this.datasets = datasets;
        this.deployment = deployment;
    }

    /** Receives each trial's trained network exported to ONNX, before its row is returned. */
    @FunctionalInterface
    public interface Deployment {
        /** Stores {@code model} of {@code trial}; a failure here fails the trial. */
        void accept(TrialConfig trial, OnnxModel model) throws java.io.IOException;
    }

    /** A runner that also exports every trained network to ONNX and hands it to {@code deployment}. */
    public TrialRunner withDeployment(Deployment deployment) {
        return new TrialRunner(datasets, java.util.Objects.requireNonNull(deployment, "deployment"));
    }

    /** Runs {@code trial} on this thread; {@code executor} names where, for the provenance. */
    public TrialResult run(TrialConfig trial, String executor) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Map<String, Object> metrics = new LinkedHashMap<>();
        // two trials train side by side in one executor JVM: their log lines (epochs, pruning)
        // carry the trial id through the logging context, as %X{trial} in the layout
        try (org.slf4j.MDC.MDCCloseable logContext = org.slf4j.MDC.putCloseable(LOG_KEY, trial.trialId())) {
            Architecture arch = Architectures.get(trial.model());
            ImageDataset data = datasets.get(trial.dataset(), trial.dataUri());
            ModelSpec spec = InputFit.specFor(arch, data);
            try (PrunedNetwork p = PrunedNetwork.builder().setSpec(spec).setConfig(trial.pruning()).setSeed(trial.seed())
                    .optDataset(data).build()) {
                PruneResult pr = p.result();
                metrics.put("prune_ms", pr.pruneMs());
                TrainingResult tr = new NetworkTrainer(trial.training()).train(p.network(), data);
                metrics.putAll(tr.metrics(data.numClasses()));
                long m0 = System.nanoTime();
                InputTransform input = InputTransform.of(data);
                metrics.putAll(p.measure(trial.latencyRuns(), input));
                if (deployment != null) {
                    Map<String, Object> meta = new LinkedHashMap<>(trial.toMap());
                    meta.put("trial_id", trial.trialId());
                    meta.put("top1", tr.top1());
                    deployment.accept(trial, OnnxExport.builder().setNetwork(p.network()).setInput(input)
                            .optMetadata(meta).build());
                }
                metrics.put("measure_ms", (System.nanoTime() - m0) / 1_000_000);
                // everything else (data, init, pruning data) is the trial's overhead
                metrics.put("trial_ms", (System.nanoTime() - t0) / 1_000_000);
                return new TrialResult(trial.trialId(), TrialResult.Status.OK, null, null, trial.toMap(), metrics,
                        pr.layers(), tr.history(), Provenance.capture(executor, started).toMap());
            }
        } catch (Throwable t) {
            return TrialResult.failed(trial, t, metrics, Provenance.capture(executor, started).toMap());
        }
    }
}
