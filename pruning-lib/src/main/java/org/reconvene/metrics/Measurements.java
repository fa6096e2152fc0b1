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
    public static Map<String, Object> of(Network net, int runs) {
        Map<String, Object> out = sizes(net, NetworkMetrics.of(net));
        LatencyMeter meter = LatencyMeter.of(Math.max(1, runs / 3), runs);
        out.put("latency_ms_b1", meter.medianMs(net, 1));
        out.put("latency_ms_b64", LatencyMeter.of(1, Math.max(1, runs / 2)).medianMs(net, 64));
        return out;
    }

    /**
     * The metrics of {@code pruned} plus its comparison with {@code upai}, the unstructured network
     * built in the same run: size ratio of their serialized bytes and speedups from latencies
     * measured in alternating runs (docs/METHOD.md section 7).
     */
    public static Map<String, Object> compare(Network upai, Network pruned, int runs) {
        NetworkMetrics u = NetworkMetrics.of(upai);
        NetworkMetrics p = NetworkMetrics.of(pruned);
        Map<String, Object> out = sizes(pruned, p);
        double[] b1 = LatencyMeter.of(Math.max(1, runs / 3), runs).compare(List.of(upai, pruned), 1);
        double[] b64 = LatencyMeter.of(1, Math.max(1, runs / 2)).compare(List.of(upai, pruned), 64);
        out.put("latency_ms_b1", b1[1]);
        out.put("latency_ms_b64", b64[1]);
        out.put("upai_params_nonzero", u.paramsNonzero());
        out.put("upai_serialized_bytes", u.serializedBytes());
        out.put("upai_macs_nonzero", u.macsNonzero());
        out.put("upai_latency_ms_b1", b1[0]);
        out.put("upai_latency_ms_b64", b64[0]);
        out.put("size_ratio", (double) u.serializedBytes() / p.serializedBytes());
        out.put("speedup_b1", b1[0] / b1[1]);
        out.put("speedup_b64", b64[0] / b64[1]);
        return out;
    }

    private static Map<String, Object> sizes(Network net, NetworkMetrics m) {
        // The unpruned network of the same architecture and classes is the reference of
        // compression and density (docs/METHOD.md section 7); its counts follow from its spec.
        ModelSpec spec = net.spec();
        ModelSpec denseSpec = Architectures.get(spec.arch()).defaultSpec(spec.numClasses(), spec.inputChannels());
        LayerProfile dense = LayerProfile.of(denseSpec, Architectures.build(denseSpec));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("params", m.params());
        out.put("params_nonzero", m.paramsNonzero());
        out.put("prunable", m.prunable());
        out.put("density", m.density());
        out.put("density_reached", (double) m.prunableNonzero() / dense.prunable());
        out.put("compression", (double) dense.params() / m.paramsNonzero());
        out.put("macs", m.macs());
        out.put("macs_nonzero", m.macsNonzero());
        out.put("serialized_bytes", m.serializedBytes());
        return out;
    }
}
