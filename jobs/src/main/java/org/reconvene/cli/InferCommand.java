package org.reconvene.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reconvene.data.BatchSampler;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.Normalization;
import org.reconvene.metrics.Measurements;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.train.EvalResult;
import org.reconvene.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Evaluates a saved network on a dataset's test split and measures its size, compute and
 * latency, so a network written by {@code train} or {@code prune} can be re-checked later or
 * on another machine.
 *
 * <p>Inputs are normalized with the statistics of the dataset's training split and are not
 * augmented, exactly as the trainer evaluates, so on the data it was trained on the accuracy
 * equals the {@code top1} of the run's summary.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Evaluate a saved network (DIR/model of `train` or `prune`) on the test split; "
                + "print top1, top5, loss, params, MACs and latencies (a table, or --json).")
final class InferCommand implements Callable<Integer> {

    @Option(names = "--model-dir", required = true,
            description = "Directory of a saved network: spec.json, tensors.ndlist and optional masks.ndlist.")
    Path modelDir;

    @Option(names = "--data", required = true,
            description = "Dataset directory or Hadoop URI (file:, hdfs:, s3a:).")
    String data;

    @Option(names = "--dataset", description = "Expected dataset name; checked against the files.")
    String dataset;

    // 256 is the trainer's evaluation batch, so by default the batches match the summary's exactly.
    @Option(names = "--batch", defaultValue = "256",
            description = "Evaluation batch size; results do not depend on it beyond float rounding "
                    + "(default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-batches", defaultValue = "0",
            description = "Cap on evaluation batches, 0 for the whole test split (default ${DEFAULT-VALUE}).")
    int maxBatches;

    @Option(names = "--latency-runs", defaultValue = "10",
            description = "Timed runs per latency measurement (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        require(batch >= 1, "--batch must be at least 1, got " + batch);
        require(maxBatches >= 0, "--max-batches must be 0 (no cap) or positive, got " + maxBatches);
        require(latencyRuns >= 1, "--latency-runs must be at least 1, got " + latencyRuns);
        // Checked here as well as by the store, because "missing file DIR/spec.json" reads like a
        // damaged save when the directory itself was mistyped.
        require(Files.isDirectory(modelDir), "--model-dir " + modelDir + " is not a directory");
        Map<String, Object> out = new LinkedHashMap<>();
        try (Network net = NetworkStore.load(modelDir)) {
            ModelSpec spec = net.spec();
            int side = spec.inputSize();
            ImageDataset ds = dataset == null ? DatasetLoader.load(data, side) : DatasetLoader.load(data, dataset, side);
            org.reconvene.trial.InputFit.check(spec, ds);
            BatchSampler.Builder test =
                    BatchSampler.builder()
                            .setSplit(ds.test())
                            .setBatchSize(batch)
                            .setNormalization(ds.train().normalization())
                            .optShuffle(false)
                            .optAugment(false);
            if (maxBatches > 0) {
                test.optMaxBatches(maxBatches);
            }
            long t0 = System.nanoTime();
            EvalResult r;
            try (ConsoleProgress progress = ConsoleProgress.open("infer", "batches")) {
                r = Evaluator.evaluate(net, test.build(), progress);
            }
            long evalMs = (System.nanoTime() - t0) / 1_000_000;
            out.put("model_dir", modelDir.toString());
            out.put("arch", spec.arch());
            out.put("dataset", ds.name());
            out.put("data", data);
            out.put("num_classes", spec.numClasses());
            out.put("samples", r.samples());
            out.put("top1", r.top1());
            out.put("top5", r.top5());
            out.put("loss", r.loss());
            out.put("eval_ms", evalMs);
            out.put("masked", !net.masks().isEmpty());
            out.putAll(Measurements.of(net, latencyRuns).toMap());
        }
        if (json) {
            System.out.println(Json.GSON.toJson(out));
        } else {
            for (Map.Entry<String, Object> e : out.entrySet()) {
                System.out.printf("%-18s %s%n", e.getKey(), format(e.getValue()));
            }
        }
        return 0;
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return String.format("%.6g", d);
        }
        return String.valueOf(v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
