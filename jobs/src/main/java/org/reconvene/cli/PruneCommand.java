package org.reconvene.cli;

import org.reconvene.data.FileTrees;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.mask.MaskScope;
import org.reconvene.metrics.InferenceExport;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.model.ParameterInfo;
import org.reconvene.provenance.Provenance;
import org.reconvene.provenance.Seeds;
import org.reconvene.prune.LayerReport;
import org.reconvene.prune.NpzExport;
import org.reconvene.prune.PruneResult;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.score.PruningData;
import org.reconvene.score.ScorerSettings;
import org.reconvene.structured.ReconveneSettings;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.reconvene.data.Dataset;

/** Prunes a freshly initialized model and writes what pruning did, without training. */
@Command(name = "prune", mixinStandardHelpOptions = true, defaultValueProvider = TrialDefaults.class,
        resourceBundle = TrialOptions.HELP,
        description = "Prune a freshly initialized model at a target sparsity and write DIR/summary.json "
                + "(metrics, prune_ms, per-layer density) and the pruned network in DIR/model.")
final class PruneCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model name (see `models`), or the path or URI of an ONNX file whose architecture to import "
            + "(its weights are not used).")
    String model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    Source source;

    /** Where pruning data comes from: real files, or synthetic images of a named dataset's shape. */
    static final class Source {
        @Option(names = "--dataset", completionCandidates = DatasetNames.class,
                description = "Dataset name (${COMPLETION-CANDIDATES}); without --data, data-dependent scorers use "
                        + "synthetic images of its shape.")
        String dataset;

        @Option(names = "--data", description = "Dataset directory or Hadoop URI to draw pruning data from.")
        String data;
    }

    @Option(names = "--method", defaultValue = "upai")
    String method;

    @Option(names = "--criterion")
    String criterion;

    @Option(names = "--tau")
    double tau;

    @Option(names = "--delta")
    double delta;

    @Option(names = "--alpha")
    double alpha;

    @Option(names = "--min-channels")
    int minChannels;

    @Option(names = "--reinit")
    String reinit;

    @Option(names = "--scorer")
    String scorer;

    @Option(names = "--sparsity")
    double sparsity;

    @Option(names = "--seed")
    long seed;

    @Option(names = "--scope")
    String scope;

    @Option(names = "--dense-classifier")
    boolean denseClassifier;

    @Option(names = "--samples-per-class")
    int samplesPerClass;

    @Option(names = "--synflow-rounds")
    int synflowRounds;

    @Option(names = "--latency-runs")
    int latencyRuns;

    @Option(names = "--export-inference",
            description = {"Also write DIR/inference: the pruned network with BatchNorm folded into the",
                    "convolutions if that measures faster at batch 1 (summary.json records both latencies)."})
    boolean exportInference;

    @Option(names = "--export-npz", description = "Also write init.npz, batch.npz, scores.npz and masks.npz.")
    boolean exportNpz;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @CommandLine.Spec CommandLine.Model.CommandSpec command;

    /** Where the images come from: files, synthetic stand-ins (in {@code scratch}), or none. */
    private record Inputs(ImageDataset dataset, int classes, int channels, boolean real, Path scratch) {}

    @Override
    public Integer call() throws IOException {
        Instant started = Instant.now();
        Architecture arch = Architectures.get(model);
        PruningConfig config = TrialOptions.read(command).buildPruning();
        Inputs in = inputs(arch, config);
        try {
            Map<String, Object> summary = pruneAndSave(arch, config, in, started);
            Json.write(out.resolve("summary.json"), summary);
            System.out.printf("%s %s sparsity %.4f: params %s (nonzero %s), prune %d ms%s -> %s%n",
                    config.method().configName(), config.method().usesScorer() ? config.scorer() : "",
                    config.density() == 1.0 ? 0 : config.sparsity(), summary.get("params"),
                    summary.get("params_nonzero"), (Long) summary.get("prune_ms"),
                    summary.containsKey("size_ratio") ? String.format(", %.2fx smaller and %.2fx faster (b1) than upai",
                            summary.get("size_ratio"), summary.get("speedup_b1")) : "",
                    out.resolve("summary.json"));
            return 0;
        } finally {
            if (in.scratch() != null) {
                FileTrees.delete(in.scratch());
            }
        }
    }

    /** The dataset (loaded, or synthetic where a scorer or --export-npz needs images and only --dataset was named). */
    private Inputs inputs(Architecture arch, PruningConfig config) throws IOException {
        if (source.data != null) {
            ImageDataset ds = source.dataset == null ? DatasetLoader.load(source.data, arch.inputSize())
                    : DatasetLoader.load(source.data, source.dataset, arch.inputSize());
            return new Inputs(ds, org.reconvene.trial.InputFit.specFor(arch, ds).numClasses(), ds.channels(), true,
                    null);
        }
        arch.requireSupports(source.dataset);
        int classes = Dataset.of(source.dataset).classes();
        int channels = Dataset.of(source.dataset).channels();
        boolean needData = exportNpz || config.needsData();
        if (!needData) {
            return new Inputs(null, classes, channels, false, null);
        }
        if (channels != 3) {
            throw new IllegalArgumentException("--scorer " + config.scorer() + " (or --export-npz) needs images: pass "
                    + "--data with the " + source.dataset + " files (synthetic stand-ins are colour only)");
        }
        Path scratch = Files.createTempDirectory("reconvene-prune-");
        return new Inputs(syntheticLike(scratch, classes, arch.inputSize()), classes, channels, false, scratch);
    }

    /** Prunes, measures and writes the model (and the optional exports); returns the summary. */
    private Map<String, Object> pruneAndSave(Architecture arch, PruningConfig config, Inputs in, Instant started) {
        boolean needData = exportNpz || config.needsData();
        PruningData pd = needData ? PruningData.sample(in.dataset(), samplesPerClass, seed) : null;
        ModelSpec spec = arch.defaultSpec(in.classes(), in.channels());
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, long[]> initShapes = new LinkedHashMap<>();
        try (PrunedNetwork p = PrunedNetwork.builder().setSpec(spec).setConfig(config).setSeed(seed)
                .optPruningData(pd).optOnInit(net -> {
                    initShapes.putAll(shapes(net));
                    if (exportNpz) {
                        NpzExport.writeFloats(out.resolve("init.npz"), net.state(), initShapes);
                    }
                }).build()) {
            PruneResult r = p.result();
            Network result = p.network();
            summary.put("model", model);
            if (arch instanceof org.reconvene.model.ImportedArchitecture imported) {
                summary.put("model_digest", imported.digest());
            }
            summary.put("dataset", source.dataset != null ? source.dataset : in.dataset().name());
            summary.put("data", source.data);
            summary.put("method", config.method().configName());
            summary.put("scorer", config.method().usesScorer() ? config.scorer() : null);
            summary.put("sparsity", config.method() == PruningMethod.DENSE ? 0.0 : config.sparsity());
            summary.put("seed", seed);
            if (in.real()) {
                summary.put("class_names", in.dataset().classNames()); // label order: logit i is class_names[i]
            }
            summary.put("prune_ms", r.pruneMs());
            // The deployed graph normalises like the data; without data it takes normalised input.
            org.reconvene.deploy.InputTransform input = in.real() ? org.reconvene.deploy.InputTransform.of(in.dataset())
                    : org.reconvene.deploy.InputTransform.identity(in.channels(), spec.inputSize());
            summary.putAll(p.measure(latencyRuns, input).toMap());
            summary.put("layers", layers(r.layers()));
            summary.put("config", config);
            summary.put("provenance", Provenance.capture("driver", started).toMap());
            NetworkStore.save(result, out.resolve("model"));
            if (in.real()) {
                input.write(out.resolve("model"));
            }
            if (exportInference) {
                summary.put("inference", InferenceExport.export(result, out.resolve("inference"),
                        Math.max(latencyRuns, 10)));
            }
            if (exportNpz) {
                writeBatch(out.resolve("batch.npz"), pd);
                NpzExport.writeFloats(out.resolve("scores.npz"), r.scores(), initShapes);
                NpzExport.writeFloats(out.resolve("masks.npz"), r.masks(), initShapes);
            }
        }
        return summary;
    }

    /** Synthetic images with a named dataset's shape, for data-dependent scorers without data. */
    private ImageDataset syntheticLike(Path dir, int classes, int size) {
        String uri = dir.resolve("data").toUri().toString();
        SyntheticImageGenerator.builder()
                .setOutput(uri)
                .optClasses(classes)
                .optImageSize(size)
                .optTrainSize(samplesPerClass * classes)
                .optTestSize(classes)
                .optSeed(Seeds.derive(seed, Seeds.PRUNING_DATA))
                .build()
                .generate();
        return DatasetLoader.load(uri);
    }

    private static Map<String, long[]> shapes(Network net) {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (ParameterInfo p : net.infos().values()) {
            s.put(p.name(), p.shape());
        }
        return s;
    }

    private static List<Map<String, Object>> layers(List<LayerReport> reports) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LayerReport l : reports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("density", l.density());
            m.put("weights", l.weights());
            m.put("nonzero", l.nonzero());
            m.put("width_before", l.widthBefore());
            m.put("width_after", l.widthAfter());
            m.put("sensitivity", Double.isNaN(l.sensitivity()) ? null : l.sensitivity());
            m.put("rectified", l.rectified());
            out.add(m);
        }
        return out;
    }

    private static void writeBatch(Path file, PruningData pd) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            arrays.put("x", pd.images(m, ai.djl.ndarray.types.DataType.FLOAT32));
            arrays.put("y", m.create(pd.labels()));
            NpzExport.write(file, arrays);
        }
    }
}
