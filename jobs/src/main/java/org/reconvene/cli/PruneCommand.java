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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.reconvene.trial.DatasetNames;

/** Prunes a freshly initialized model and writes what pruning did, without training. */
@Command(name = "prune", mixinStandardHelpOptions = true, defaultValueProvider = TrialDefaults.class,
        description = "Prune a freshly initialized model at a target sparsity and write DIR/summary.json "
                + "(metrics, prune_ms, per-layer density) and the pruned network in DIR/model.")
final class PruneCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model name (see `models`).")
    String model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    Source source;

    /** Where pruning data comes from: real files, or synthetic images of a named dataset's shape. */
    static final class Source {
        @Option(names = "--dataset",
                description = "Dataset name; without --data, data-dependent scorers use synthetic images of its shape.")
        String dataset;

        @Option(names = "--data", description = "Dataset directory or Hadoop URI to draw pruning data from.")
        String data;
    }

    @Option(names = "--method", defaultValue = "upai",
            description = "dense, upai, reconvene, spai-random, spai-l1 or spai-layerwise (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--criterion",
            description = "PSE criterion: retention (sensitivity <= tau) or density (density <= delta) (default ${DEFAULT-VALUE}).")
    String criterion;

    @Option(names = "--tau", description = "PSE sensitivity threshold (default ${DEFAULT-VALUE}).")
    double tau;

    @Option(names = "--delta", description = "PSE density threshold (default ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = "--alpha",
            description = "Structured width exponent: ceil(d^alpha * C) channels (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--min-channels",
            description = "Fewest channels a rebuilt layer keeps (default ${DEFAULT-VALUE}).")
    int minChannels;

    @Option(names = "--reinit",
            description = "RLR reinitialization: rectified, affected or none (default ${DEFAULT-VALUE}).")
    String reinit;

    @Option(names = "--scorer",
            description = "random, magnitude, snip, grasp or synflow (default ${DEFAULT-VALUE}).")
    String scorer;

    @Option(names = "--sparsity", description = "Fraction of prunable weights removed (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--seed", description = "Trial seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--scope", description = "global or layerwise ranking (default ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--dense-classifier", description = "Keep the classifier unpruned.")
    boolean denseClassifier;

    @Option(names = "--samples-per-class",
            description = "Pruning samples per class (default ${DEFAULT-VALUE}).")
    int samplesPerClass;

    @Option(names = "--synflow-rounds", description = "SynFlow rounds (default ${DEFAULT-VALUE}).")
    int synflowRounds;

    @Option(names = "--latency-runs",
            description = "Timed runs per latency measurement (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--export-inference",
            description = {"Also write DIR/inference: the pruned network with BatchNorm folded into the",
                    "convolutions if that measures faster at batch 1 (summary.json records both latencies)."})
    boolean exportInference;

    @Option(names = "--export-npz", description = "Also write init.npz, batch.npz, scores.npz and masks.npz.")
    boolean exportNpz;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Instant started = Instant.now();
        Architecture arch = Architectures.get(model);
        PruningConfig config =
                PruningConfig.builder()
                        .setMethod(PruningMethod.parse(method))
                        .optScorer(scorer)
                        .optSparsity(sparsity)
                        .optScope(MaskScope.parse(scope))
                        .optDenseClassifier(denseClassifier)
                        .optSamplesPerClass(samplesPerClass)
                        .optScorerSettings(ScorerSettings.defaults().withSynflowRounds(synflowRounds))
                        .optStructured(new ReconveneSettings(ReconveneSettings.Criterion.parse(criterion), tau, delta,
                                alpha, minChannels, ReconveneSettings.Reinit.parse(reinit)))
                        .build();
        boolean needData = exportNpz || config.needsData();
        Path scratch = null;
        try {
            ImageDataset ds;
            int classes;
            int channels;
            if (source.data != null) {
                ds = source.dataset == null ? DatasetLoader.load(source.data) : DatasetLoader.load(source.data, source.dataset);
                classes = org.reconvene.trial.InputFit.specFor(arch, ds).numClasses();
                channels = ds.channels();
            } else {
                DatasetNames.checkSupported(arch, source.dataset);
                classes = DatasetNames.classes(source.dataset);
                channels = DatasetNames.channels(source.dataset);
                ds = null;
                if (needData && channels != 3) {
                    throw new IllegalArgumentException("--scorer " + scorer + " (or --export-npz) needs images: pass "
                            + "--data with the " + source.dataset + " files (synthetic stand-ins are colour only)");
                }
                if (needData) {
                    scratch = Files.createTempDirectory("reconvene-prune-");
                    ds = syntheticLike(scratch, classes, arch.inputSize());
                }
            }
            PruningData pd = needData ? PruningData.sample(ds, samplesPerClass, seed) : null;
            ModelSpec spec = arch.defaultSpec(classes, channels);
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
                summary.put("dataset", source.dataset != null ? source.dataset : ds.name());
                summary.put("data", source.data);
                summary.put("method", config.method().configName());
                summary.put("scorer", config.method().usesScorer() ? scorer : null);
                summary.put("sparsity", config.method() == PruningMethod.DENSE ? 0.0 : sparsity);
                summary.put("seed", seed);
                summary.put("prune_ms", r.pruneMs());
                // The deployed graph normalises like the data; without data it takes normalised input.
                boolean real = source.data != null;
                org.reconvene.deploy.InputTransform input = real ? org.reconvene.deploy.InputTransform.of(ds)
                        : org.reconvene.deploy.InputTransform.identity(channels, spec.inputSize());
                summary.putAll(p.measure(latencyRuns, input).toMap());
                summary.put("layers", layers(r.layers()));
                summary.put("config", config);
                summary.put("provenance", Provenance.capture("driver", started).toMap());
                NetworkStore.save(result, out.resolve("model"));
                if (real) {
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
            Json.write(out.resolve("summary.json"), summary);
            System.out.printf("%s %s sparsity %.4f: params %s (nonzero %s), prune %d ms%s -> %s%n",
                    config.method().configName(), config.method().usesScorer() ? scorer : "",
                    config.method() == PruningMethod.DENSE ? 0 : sparsity, summary.get("params"),
                    summary.get("params_nonzero"), (Long) summary.get("prune_ms"),
                    summary.containsKey("size_ratio") ? String.format(", %.2fx smaller and %.2fx faster (b1) than upai",
                            summary.get("size_ratio"), summary.get("speedup_b1")) : "",
                    out.resolve("summary.json"));
            return 0;
        } finally {
            if (scratch != null) {
                FileTrees.delete(scratch);
            }
        }
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
