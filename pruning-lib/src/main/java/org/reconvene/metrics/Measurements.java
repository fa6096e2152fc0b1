package org.reconvene.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.reconvene.model.Network;

/**
 * The METHOD.md section 7 size, compute and latency metrics of a network as named fields, shared
 * by the CLI summaries and the sweep's result rows so both measure the same way.
 */
public final class Measurements {

    private Measurements() {}

    /** Measures {@code net}; latency from {@code runs} timed runs per batch size after warm-up. */
    public static Map<String, Object> of(Network net, int runs) {
        NetworkMetrics m = NetworkMetrics.of(net);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("params", m.params());
        out.put("params_nonzero", m.paramsNonzero());
        out.put("prunable", m.prunable());
        out.put("density", m.density());
        out.put("macs", m.macs());
        out.put("macs_nonzero", m.macsNonzero());
        out.put("serialized_bytes", m.serializedBytes());
        LatencyMeter meter = LatencyMeter.of(Math.max(1, runs / 3), runs);
        out.put("latency_ms_b1", meter.medianMs(net, 1));
        out.put("latency_ms_b64", LatencyMeter.of(1, Math.max(1, runs / 2)).medianMs(net, 64));
        return out;
    }

    /**
     * Compares a structured network with its unstructured counterpart built in the same run:
     * size ratio of their serialized bytes and speedups from latencies measured in alternating
     * runs (METHOD.md section 7). The network's own latency fields are overwritten with the
     * alternating measurement so that every figure in one summary comes from one comparison.
     */
    public static Map<String, Object> compare(Network upai, Network pruned, int runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        NetworkMetrics u = NetworkMetrics.of(upai);
        NetworkMetrics p = NetworkMetrics.of(pruned);
        double[] b1 = LatencyMeter.of(Math.max(1, runs / 3), runs).compare(java.util.List.of(upai, pruned), 1);
        double[] b64 = LatencyMeter.of(1, Math.max(1, runs / 2)).compare(java.util.List.of(upai, pruned), 64);
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
}
