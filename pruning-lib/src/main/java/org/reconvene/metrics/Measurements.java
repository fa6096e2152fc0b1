package org.reconvene.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;

/**
 * The docs/METHOD.md section 7 size, compute and latency metrics of a network as named fields, shared
 * by the CLI summaries and the sweep's result rows so both measure the same way.
 *
 * <p>Each network is measured once: {@link #of} for a network on its own, {@link #compare} for a
 * structured network next to its unstructured counterpart, whose latencies are then taken in
 * alternating runs instead of separately.
 */
public final class Measurements {

    private Measurements() {}

    /** Sizes, compute and latencies of {@code net}; latency from {@code runs} timed runs per batch size. */
    public static MetricValues of(Network net, int runs) {
        MetricValues out = sizes(net, NetworkMetrics.of(net));
        out.put(Metric.LATENCY_MS_B1, batchOne(runs).medianMs(net, 1));
        out.put(Metric.LATENCY_MS_B64, batch64(runs).medianMs(net, 64));
        return out;
    }

    /**
     * The meter of batch-1 latencies for {@code runs} timed runs: a third as many warm-up runs
     * (at least one). Every latency of a trial (libtorch's and ONNX Runtime's) is timed so.
     */
    public static LatencyMeter batchOne(int runs) {
        return LatencyMeter.of(warmupRuns(runs), runs);
    }

    /** The meter of batch-64 latencies: one warm-up run and half the runs, each far longer than at batch 1. */
    public static LatencyMeter batch64(int runs) {
        return LatencyMeter.of(1, batch64Runs(runs));
    }

    /** Warm-up runs before {@code runs} timed batch-1 runs. */
    public static int warmupRuns(int runs) {
        return Math.max(1, runs / 3);
    }

    /** Timed batch-64 runs for a trial's {@code runs}. */
    public static int batch64Runs(int runs) {
        return Math.max(1, runs / 2);
    }

    /**
     * The metrics of {@code pruned} plus its comparison with {@code upai}, the unstructured network
     * built in the same run: size ratio of their serialized bytes and speedups from latencies
     * measured in alternating runs (docs/METHOD.md section 7).
     */
    public static MetricValues compare(Network upai, Network pruned, int runs) {
        NetworkMetrics u = NetworkMetrics.of(upai);
        NetworkMetrics p = NetworkMetrics.of(pruned);
        MetricValues out = sizes(pruned, p);
        double[] b1 = batchOne(runs).compare(List.of(upai, pruned), 1);
        double[] b64 = batch64(runs).compare(List.of(upai, pruned), 64);
        out.put(Metric.LATENCY_MS_B1, b1[1]);
        out.put(Metric.LATENCY_MS_B64, b64[1]);
        out.put(Metric.UPAI_PARAMS_NONZERO, u.paramsNonzero());
        out.put(Metric.UPAI_SERIALIZED_BYTES, u.serializedBytes());
        out.put(Metric.UPAI_MACS_NONZERO, u.macsNonzero());
        out.put(Metric.UPAI_LATENCY_MS_B1, b1[0]);
        out.put(Metric.UPAI_LATENCY_MS_B64, b64[0]);
        out.put(Metric.SIZE_RATIO, (double) u.serializedBytes() / p.serializedBytes());
        out.put(Metric.SPEEDUP_B1, b1[0] / b1[1]);
        out.put(Metric.SPEEDUP_B64, b64[0] / b64[1]);
        return out;
    }

    private static MetricValues sizes(Network net, NetworkMetrics m) {
        // The unpruned network of the same architecture and classes is the reference of
        // compression and density (docs/METHOD.md section 7); its counts follow from its spec.
        ModelSpec spec = net.spec();
        ModelSpec denseSpec = Architectures.get(spec.arch()).defaultSpec(spec.numClasses(), spec.inputChannels());
        LayerProfile dense = LayerProfile.of(denseSpec, Architectures.build(denseSpec));
        MetricValues out = new MetricValues();
        out.put(Metric.PARAMS, m.params());
        out.put(Metric.PARAMS_NONZERO, m.paramsNonzero());
        out.put(Metric.PRUNABLE, m.prunable());
        out.put(Metric.DENSITY, m.density());
        out.put(Metric.DENSITY_REACHED, (double) m.prunableNonzero() / dense.prunable());
        out.put(Metric.COMPRESSION, (double) dense.params() / m.paramsNonzero());
        out.put(Metric.MACS, m.macs());
        out.put(Metric.MACS_NONZERO, m.macsNonzero());
        out.put(Metric.SERIALIZED_BYTES, m.serializedBytes());
        return out;
    }
}
