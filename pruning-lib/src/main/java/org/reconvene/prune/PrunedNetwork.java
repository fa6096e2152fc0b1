package org.reconvene.prune;

import java.util.LinkedHashMap;
import org.reconvene.deploy.InputTransform;
import org.reconvene.deploy.OnnxMeasurements;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.reconvene.data.ImageDataset;
import org.reconvene.metrics.Measurements;
import org.reconvene.metrics.MetricValues;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.provenance.Seeds;
import org.reconvene.score.PruningData;

/**
 * The one way to prune a freshly initialized network for a config and measure it: the library's
 * entry point behind the CLI's {@code prune}, the sweep's trials and the pruning benchmark.
 *
 * <p>Lifecycle: {@link #builder()} takes the spec, the config and the trial seed (and, for
 * scorers that need data, a dataset); {@link Builder#build()} initializes the network from the
 * seed's {@link Seeds#INIT} stream, draws the pruning data from the seed when the config's
 * scorer needs it, and prunes. The object then owns every network that pruning produced or left
 * behind: the pruned {@link #network()}, and for Reconvene the unstructured {@link #counterpart()}
 * it is measured against. {@link #close()} frees them all, so callers never need to know which
 * methods build a new network and which mask the input in place.
 */
public final class PrunedNetwork implements AutoCloseable {

    private final Network initial;
    private final PruneResult result;
    private final PruningData data;

    private PrunedNetwork(Network initial, PruneResult result, PruningData data) {
        this.initial = initial;
        this.result = result;
        this.data = data;
    }

    /** A builder; spec, config and seed are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pruned network, ready to train, measure or save. */
    public Network network() {
        return result.network();
    }

    /** For Reconvene, the unstructured network of the same sparsity built in this run; null otherwise. */
    public Network counterpart() {
        return result.counterpart();
    }

    /** Scores, masks, per-layer reports and pruning time. */
    public PruneResult result() {
        return result;
    }

    /** The pruning data drawn for the scorer; null for data-free scoring. */
    public PruningData pruningData() {
        return data;
    }

    /**
     * The network's size, compute and latency (docs/METHOD.md section 7); for Reconvene also the
     * counterpart's and the ratios, from alternating runs in this process.
     */
    public MetricValues measure(int latencyRuns) {
        return counterpart() != null
                ? Measurements.compare(counterpart(), network(), latencyRuns)
                : Measurements.of(network(), latencyRuns);
    }

    /**
     * {@link #measure(int)} plus the deployment metrics: the exported ONNX file's sizes and its
     * latency in ONNX Runtime, and for Reconvene their ratios to the counterpart's, exported with
     * {@code deployInput} (docs/METHOD.md section 7).
     */
    public MetricValues measure(int latencyRuns, InputTransform deployInput) {
        MetricValues out = measure(latencyRuns);
        out.putAll(counterpart() != null
                ? OnnxMeasurements.compare(counterpart(), network(), deployInput, latencyRuns)
                : OnnxMeasurements.of(network(), deployInput, latencyRuns));
        return out;
    }

    /** Closes the pruned network and the initial one (masked in place, or the counterpart). */
    @Override
    public void close() {
        try (Network in = initial) {
            if (result.network() != initial) {
                result.network().close();
            }
        }
    }

    /** Builds a {@link PrunedNetwork}: {@code setX} values are required, {@code optX} optional. */
    public static final class Builder {
        private ModelSpec spec;
        private PruningConfig config;
        private Long seed;
        private ImageDataset dataset;
        private PruningData data;
        private Consumer<Network> onInit = n -> {};

        private Builder() {}

        /** The unpruned network's spec. */
        public Builder setSpec(ModelSpec spec) {
            this.spec = spec;
            return this;
        }

        /** How to prune. */
        public Builder setConfig(PruningConfig config) {
            this.config = config;
            return this;
        }

        /** The trial seed; initialization and the pruning data draw from its streams. */
        public Builder setSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The dataset the pruning data is drawn from; required when the config's scorer needs data. */
        public Builder optDataset(ImageDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /** Pruning data drawn elsewhere (a benchmark reusing one batch); replaces drawing from the dataset. */
        public Builder optPruningData(PruningData data) {
            this.data = data;
            return this;
        }

        /** Sees the initialized network before it is pruned (to export its initial tensors). */
        public Builder optOnInit(Consumer<Network> onInit) {
            this.onInit = Objects.requireNonNull(onInit, "onInit");
            return this;
        }

        /**
         * Initializes and prunes.
         *
         * @throws IllegalArgumentException if a required value is missing, or the scorer needs data
         *     and neither a dataset nor pruning data was given
         */
        public PrunedNetwork build() {
            if (spec == null || config == null || seed == null) {
                throw new IllegalArgumentException("PrunedNetwork needs setSpec, setConfig and setSeed");
            }
            PruningData pd = data;
            if (pd == null && config.needsData()) {
                if (dataset == null) {
                    throw new IllegalArgumentException("scorer " + config.scorer() + " needs pruning data: give a dataset");
                }
                pd = PruningData.sample(dataset, config.samplesPerClass(), seed);
            }
            Network net = Network.builder().setSpec(spec).optSeed(Seeds.derive(seed, Seeds.INIT)).build();
            try {
                onInit.accept(net);
                return new PrunedNetwork(net, Pruner.prune(net, config, pd, seed), pd);
            } catch (RuntimeException | Error e) {
                net.close();
                throw e;
            }
        }
    }
}
