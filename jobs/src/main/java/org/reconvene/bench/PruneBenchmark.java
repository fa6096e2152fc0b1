package org.reconvene.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.metrics.LatencyMeter;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.BatchNormFolding;
import org.reconvene.model.Network;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.score.PruningData;
import org.reconvene.score.Scorers;

/**
 * Pruning time per scorer and method, and the inference latency of what pruning produces.
 *
 * <p>For each scorer, {@code upai}, {@code spai-layerwise} and {@code reconvene} are timed
 * ({@code prune_ms}, as in a trial: scoring, masking, PSE and RLR or the rebuild); the two
 * scorer-free baselines once per model. The Reconvene run then times, in alternating runs in this
 * process, the dense network, its unstructured counterpart, the Reconvene network and that network
 * with BatchNorm folded, at batch 1 and 64.
 */
public final class PruneBenchmark {

    /** One pruning run; {@code latency} is set only on Reconvene runs: dense, upai, reconvene, folded. */
    public record Row(String model, String method, String scorer, double sparsity, long pruneMs,
            double[] latencyB1, double[] latencyB64) {}

    private PruneBenchmark() {}

    /**
     * Runs every scorer and method on {@code model} at {@code sparsity}, with data generated in
     * {@code scratch}; each row goes to {@code done} as soon as it is measured (a long run's
     * finished rows survive its interruption).
     */
    public static List<Row> run(String model, double sparsity, List<String> scorers, int latencyRuns, Path scratch,
            Consumer<Row> done) {
        Architecture arch = Architectures.get(model);
        int classes = org.reconvene.data.Dataset.of(arch.datasets().get(0)).classes();
        PruningData pd = pruningData(arch, classes, scratch);
        List<Row> rows = new ArrayList<>();
        for (String method : List.of("spai-random", "spai-l1")) {
            rows.add(prune(arch, classes, PruningMethod.parse(method), null, sparsity, pd, latencyRuns));
            done.accept(rows.get(rows.size() - 1));
        }
        for (String scorer : scorers) {
            Scorers.get(scorer);
            for (String method : List.of("upai", "spai-layerwise", "reconvene")) {
                rows.add(prune(arch, classes, PruningMethod.parse(method), scorer, sparsity, pd, latencyRuns));
                done.accept(rows.get(rows.size() - 1));
            }
        }
        return rows;
    }

    /**
     * The paper's pruning data for {@code arch}'s own dataset shape: 10 synthetic images per class,
     * generated in {@code scratch}.
     */
    static PruningData pruningData(Architecture arch, int classes, Path scratch) {
        String uri = scratch.resolve(arch.name() + "-data").toUri().toString();
        SyntheticImageGenerator.builder().setOutput(uri).optClasses(classes).optImageSize(arch.inputSize())
                .optTrainSize(10 * classes).optTestSize(classes).optSeed(1).build().generate();
        ImageDataset data = DatasetLoader.load(uri);
        return PruningData.sample(data, 10, 0);
    }

    private static Row prune(Architecture arch, int classes, PruningMethod method, String scorer, double sparsity,
            PruningData pd, int latencyRuns) {
        PruningConfig.Builder b = PruningConfig.builder().setMethod(method).optSparsity(sparsity);
        if (scorer != null) {
            b.optScorer(scorer);
        }
        PruningConfig config = b.build();
        try (PrunedNetwork p = PrunedNetwork.builder().setSpec(arch.defaultSpec(classes)).setConfig(config).setSeed(0)
                .optPruningData(pd).build()) {
            double[] b1 = null;
            double[] b64 = null;
            if (method == PruningMethod.RECONVENE) {
                try (Network dense = Network.builder().setSpec(arch.defaultSpec(classes)).optSeed(0).build();
                        Network folded = BatchNormFolding.fold(p.network())) {
                    List<Network> nets = List.of(dense, p.counterpart(), p.network(), folded);
                    b1 = LatencyMeter.of(Math.max(2, latencyRuns / 5), latencyRuns).compare(nets, 1);
                    b64 = LatencyMeter.of(1, Math.max(2, latencyRuns / 4)).compare(nets, 64);
                }
            }
            return new Row(arch.name(), method.configName(), scorer, sparsity, p.result().pruneMs(), b1, b64);
        }
    }
}
