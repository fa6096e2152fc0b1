package org.reconvene.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.engine.Engines;
import org.reconvene.model.Network;

/**
 * The deployment metrics of a network (docs/METHOD.md section 7): the size of its exported ONNX
 * file, plain and gzipped, and its latency in ONNX Runtime at batch 1 and 64, timed like the
 * libtorch latencies of {@code metrics.Measurements} (same warm-up and run counts, the task's
 * thread count). Against the unstructured counterpart, both are exported and timed in alternating
 * runs in one call, so the ratios come from one measurement.
 */
public final class OnnxMeasurements {

    private OnnxMeasurements() {}

    /** {@code onnx_bytes}, {@code onnx_gzip_bytes}, {@code latency_ort_ms_b1} and {@code _b64} of {@code net}. */
    public static Map<String, Object> of(Network net, InputTransform input, int runs) {
        OnnxModel m = OnnxExport.builder().setNetwork(net).setInput(input).build();
        Map<String, Object> out = sizes(m);
        try (OrtNetwork ort = OrtNetwork.open(m, Engines.threads())) {
            double[][] t = latencies(List.of(ort), runs);
            out.put("latency_ort_ms_b1", t[0][0]);
            out.put("latency_ort_ms_b64", t[1][0]);
        }
        return out;
    }

    /** The metrics of {@code pruned} and its ratios to {@code upai}: speedups and size ratios of the files. */
    public static Map<String, Object> compare(Network upai, Network pruned, InputTransform input, int runs) {
        OnnxModel u = OnnxExport.builder().setNetwork(upai).setInput(input).build();
        OnnxModel p = OnnxExport.builder().setNetwork(pruned).setInput(input).build();
        Map<String, Object> out = sizes(p);
        try (OrtNetwork uo = OrtNetwork.open(u, Engines.threads());
                OrtNetwork po = OrtNetwork.open(p, Engines.threads())) {
            double[][] t = latencies(List.of(uo, po), runs);
            out.put("latency_ort_ms_b1", t[0][1]);
            out.put("latency_ort_ms_b64", t[1][1]);
            out.put("speedup_ort_b1", t[0][0] / t[0][1]);
            out.put("speedup_ort_b64", t[1][0] / t[1][1]);
        }
        out.put("size_ratio_onnx", (double) u.bytes() / p.bytes());
        out.put("size_ratio_onnx_gzip", (double) u.gzipBytes() / p.gzipBytes());
        return out;
    }

    private static Map<String, Object> sizes(OnnxModel m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("onnx_bytes", m.bytes());
        out.put("onnx_gzip_bytes", m.gzipBytes());
        return out;
    }

    /** Medians at batch 1 (row 0) and 64 (row 1), one column per model; the libtorch meters' counts. */
    private static double[][] latencies(List<OrtNetwork> nets, int runs) {
        return new double[][] {
            OrtNetwork.compare(nets, 1, Math.max(1, runs / 3), runs),
            OrtNetwork.compare(nets, 64, 1, Math.max(1, runs / 2))
        };
    }
}
