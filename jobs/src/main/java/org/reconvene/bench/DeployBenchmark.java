package org.reconvene.bench;

import java.util.ArrayList;
import java.util.List;
import org.reconvene.data.ImageDataset;
import org.reconvene.deploy.InputTransform;
import org.reconvene.deploy.Int8Export;
import org.reconvene.deploy.Int8Measurements;
import org.reconvene.deploy.OnnxExport;
import org.reconvene.deploy.OnnxModel;
import org.reconvene.deploy.OrtNetwork;
import org.reconvene.engine.Engines;
import org.reconvene.metrics.LatencyMeter;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;

/**
 * Deployment figures of dense, upai and Reconvene networks of one model at one sparsity: the
 * exported ONNX file's bytes, plain and gzipped, and latency in libtorch and in ONNX Runtime at
 * batch 1 and 64. The three networks are timed in alternating runs within one call per runtime
 * and batch, so ratios between them hold on a shared machine (docs/DEPLOY.md). The int8 files
 * ({@code deploy.Int8Export}) of the three are timed in the same ONNX Runtime calls as the float32
 * ones, so int8 against float32 is a ratio from one run too.
 */
public final class DeployBenchmark {

    /** One network's figures; latencies in ms, {@code [b1, b64]}. */
    public record Row(String model, String method, long onnxBytes, long onnxGzipBytes, double[] torchMs,
            double[] ortMs, long int8Bytes, long int8GzipBytes, double[] ortInt8Ms) {}

    private DeployBenchmark() {}

    /**
     * Dense, upai and Reconvene (SynFlow, data-free) of {@code model} for input {@code in}; the int8
     * files calibrated on training images of {@code data}, or on random pixels when it is null
     * (which serves the sizes and timings, not accuracy).
     */
    public static List<Row> run(String model, double sparsity, InputTransform in, int classes, int runs,
            ImageDataset data) {
        ModelSpec spec = Architectures.get(model).defaultSpec(classes, in.channels());
        PruningConfig rc = PruningConfig.builder().setMethod(PruningMethod.RECONVENE).optScorer("synflow")
                .optSparsity(sparsity).build();
        try (Network dense = Network.builder().setSpec(spec).optSeed(1).build();
                PrunedNetwork p = PrunedNetwork.builder().setSpec(spec).setConfig(rc).setSeed(1).build()) {
            List<Network> nets = List.of(dense, p.counterpart(), p.network());
            String[] methods = {"dense", "upai", "reconvene"};
            List<OnnxModel> files = new ArrayList<>();
            for (Network n : nets) {
                files.add(OnnxExport.builder().setNetwork(n).setInput(in).build());
            }
            for (Network n : nets) {
                files.add(data != null ? Int8Measurements.quantize(n, in, data, 1, Int8Export.DEFAULT_CALIBRATION_BATCHES)
                        : randomCalibration(in, n));
            }
            double[] t1 = LatencyMeter.of(Math.max(1, runs / 3), runs).compare(nets, 1);
            double[] t64 = LatencyMeter.of(1, Math.max(1, runs / 2)).compare(nets, 64);
            double[] o1;
            double[] o64;
            List<OrtNetwork> sessions = new ArrayList<>();
            try {
                for (OnnxModel f : files) {
                    sessions.add(OrtNetwork.open(f, Engines.threads()));
                }
                o1 = OrtNetwork.compare(sessions, 1, Math.max(1, runs / 3), runs);
                o64 = OrtNetwork.compare(sessions, 64, 1, Math.max(1, runs / 2));
            } finally {
                sessions.forEach(OrtNetwork::close);
            }
            List<Row> out = new ArrayList<>();
            int k = nets.size();
            for (int i = 0; i < k; i++) {
                out.add(new Row(model, methods[i], files.get(i).bytes(), files.get(i).gzipBytes(),
                        new double[] {t1[i], t64[i]}, new double[] {o1[i], o64[i]}, files.get(k + i).bytes(),
                        files.get(k + i).gzipBytes(), new double[] {o1[k + i], o64[k + i]}));
            }
            return out;
        }
    }

    /** The int8 file of {@code n} calibrated on 4 batches of uniformly random pixels. */
    private static OnnxModel randomCalibration(InputTransform in, Network n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int side = in.storedSide();
        List<float[]> batches = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            float[] p = new float[32 * in.channels() * side * side];
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) r.nextDouble();
            }
            batches.add(p);
            sizes.add(32);
        }
        return Int8Export.builder().setModel(OnnxExport.builder().setNetwork(n).setInput(in).build())
                .setCalibration(batches, sizes, "4 batches of 32 random images (timing only)").build();
    }
}
