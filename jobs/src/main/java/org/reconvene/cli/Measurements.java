package org.reconvene.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.reconvene.metrics.LatencyMeter;
import org.reconvene.metrics.NetworkMetrics;
import org.reconvene.model.Network;

/** The METHOD.md section 7 size, compute and latency metrics of a network, as summary fields. */
final class Measurements {

    private Measurements() {}

    /** Measures {@code net}; latency from {@code runs} timed runs per batch size after warm-up. */
    static Map<String, Object> of(Network net, int runs) {
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
}
