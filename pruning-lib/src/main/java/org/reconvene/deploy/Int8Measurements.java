package org.reconvene.deploy;

import java.util.ArrayList;
import java.util.List;
import org.reconvene.data.ImageDataset;
import org.reconvene.engine.Engines;
import org.reconvene.metrics.Measurements;
import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
import org.reconvene.model.Network;

/**
 * The int8 deployment metrics of a network (docs/METHOD.md section 7): its int8 file
 * ({@link Int8Export}) calibrated on training images drawn with the trial's seed, the file's size
 * plain and gzipped, its ONNX Runtime latency timed like the float file's, its top-1 on the whole
 * test split, and for Reconvene the size ratio and speedup against the unstructured counterpart's
 * int8 file, both timed in alternating runs in one call.
 */
public final class Int8Measurements {

    private Int8Measurements() {}

    /**
     * The int8 file of {@code net}: exported with {@code input}, calibrated on {@code batches}
     * batches of {@link Int8Export#CALIBRATION_BATCH} training images of {@code data} drawn with
     * {@code seed}.
     */
    public static OnnxModel quantize(Network net, InputTransform input, ImageDataset data, long seed, int batches) {
        return quantize(net, input, data, seed, batches, java.util.Map.of());
    }

    /** As {@link #quantize(Network, InputTransform, ImageDataset, long, int)}, with the file's metadata. */
    public static OnnxModel quantize(Network net, InputTransform input, ImageDataset data, long seed, int batches,
            java.util.Map<String, ?> metadata) {
        if (batches < 1) {
            throw new IllegalArgumentException("calibration batches must be at least 1, got " + batches);
        }
        OnnxModel f32 = OnnxExport.builder().setNetwork(net).setInput(input).optMetadata(metadata).build();
        int[][] idx = StoredPixels.calibrationIndices(data, batches, Int8Export.CALIBRATION_BATCH, seed);
        List<float[]> pixels = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int images = 0;
        for (int[] b : idx) {
            pixels.add(StoredPixels.batch(data, data.train(), b));
            sizes.add(b.length);
            images += b.length;
        }
        return Int8Export.builder().setModel(f32).setCalibration(pixels, sizes, images + " training images of "
                + data.name() + " in " + idx.length + " batches, drawn with seed " + seed).build();
    }

    /** Size and latencies of {@code int8}. */
    public static MetricValues of(OnnxModel int8, int runs) {
        MetricValues out = sizes(int8);
        try (OrtNetwork ort = OrtNetwork.open(int8, Engines.threads())) {
            out.put(Metric.LATENCY_ORT_INT8_MS_B1, OrtNetwork.compare(List.of(ort), 1, Measurements.warmupRuns(runs),
                    runs)[0]);
            out.put(Metric.LATENCY_ORT_INT8_MS_B64, OrtNetwork.compare(List.of(ort), 64, 1,
                    Measurements.batch64Runs(runs))[0]);
        }
        return out;
    }

    /** Size and latencies of {@code pruned}'s int8 file, and its ratios to {@code upai}'s. */
    public static MetricValues compare(OnnxModel upai, OnnxModel pruned, int runs) {
        MetricValues out = sizes(pruned);
        try (OrtNetwork u = OrtNetwork.open(upai, Engines.threads());
                OrtNetwork p = OrtNetwork.open(pruned, Engines.threads())) {
            double[] b1 = OrtNetwork.compare(List.of(u, p), 1, Measurements.warmupRuns(runs), runs);
            double[] b64 = OrtNetwork.compare(List.of(u, p), 64, 1, Measurements.batch64Runs(runs));
            out.put(Metric.LATENCY_ORT_INT8_MS_B1, b1[1]);
            out.put(Metric.LATENCY_ORT_INT8_MS_B64, b64[1]);
            out.put(Metric.SPEEDUP_ORT_INT8_B1, b1[0] / b1[1]);
        }
        out.put(Metric.SIZE_RATIO_INT8, (double) upai.bytes() / pruned.bytes());
        return out;
    }

    /** {@code top1_int8}: the int8 file in ONNX Runtime on the whole test split of {@code data}. */
    public static MetricValues top1(OnnxModel int8, ImageDataset data) {
        try (OrtNetwork ort = OrtNetwork.open(int8, Engines.threads())) {
            return new MetricValues().put(Metric.TOP1_INT8, ort.top1(data, 256));
        }
    }

    private static MetricValues sizes(OnnxModel m) {
        return new MetricValues().put(Metric.ONNX_INT8_BYTES, m.bytes()).put(Metric.ONNX_INT8_GZIP_BYTES,
                m.gzipBytes());
    }
}
