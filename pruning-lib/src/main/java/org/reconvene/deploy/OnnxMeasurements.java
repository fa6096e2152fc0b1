package org.reconvene.deploy;

import org.reconvene.metrics.Measurements;
import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
import java.util.List;
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
    public static MetricValues of(Network net, InputTransform input, int runs) {
        OnnxModel m = OnnxExport.builder().setNetwork(net).setInput(input).build();
        MetricValues out = sizes(m);
        try (OrtNetwork ort = OrtNetwork.open(m, Engines.threads())) {
            double[][] t = latencies(List.of(ort), runs);
            out.put(Metric.LATENCY_ORT_MS_B1, t[0][0]);
            out.put(Metric.LATENCY_ORT_MS_B64, t[1][0]);
        }
        return out;
    }

    /** The metrics of {@code pruned} and its ratios to {@code upai}: speedups and size ratios of the files. */
    public static MetricValues compare(Network upai, Network pruned, InputTransform input, int runs) {
        OnnxModel u = OnnxExport.builder().setNetwork(upai).setInput(input).build();
        OnnxModel p = OnnxExport.builder().setNetwork(pruned).setInput(input).build();
        MetricValues out = sizes(p);
        try (OrtNetwork uo = OrtNetwork.open(u, Engines.threads());
                OrtNetwork po = OrtNetwork.open(p, Engines.threads())) {
            double[][] t = latencies(List.of(uo, po), runs);
            out.put(Metric.LATENCY_ORT_MS_B1, t[0][1]);
            out.put(Metric.LATENCY_ORT_MS_B64, t[1][1]);
            out.put(Metric.SPEEDUP_ORT_B1, t[0][0] / t[0][1]);
            out.put(Metric.SPEEDUP_ORT_B64, t[1][0] / t[1][1]);
        }
        out.put(Metric.SIZE_RATIO_ONNX, (double) u.bytes() / p.bytes());
        out.put(Metric.SIZE_RATIO_ONNX_GZIP, (double) u.gzipBytes() / p.gzipBytes());
        return out;
    }

    private static MetricValues sizes(OnnxModel m) {
        return new MetricValues().put(Metric.ONNX_BYTES, m.bytes()).put(Metric.ONNX_GZIP_BYTES, m.gzipBytes());
    }

    /** Medians at batch 1 (row 0) and 64 (row 1), one column per model; the libtorch meters' counts. */
    private static double[][] latencies(List<OrtNetwork> nets, int runs) {
        return new double[][] {
            OrtNetwork.compare(nets, 1, Measurements.warmupRuns(runs), runs),
            OrtNetwork.compare(nets, 64, 1, Measurements.batch64Runs(runs))
        };
    }
}
