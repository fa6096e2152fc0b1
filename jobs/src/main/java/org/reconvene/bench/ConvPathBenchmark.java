package org.reconvene.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.reconvene.engine.ConvPath;
import org.reconvene.engine.Engines;
import org.reconvene.metrics.LatencyMeter;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;
import org.reconvene.train.TrainStep;
import org.reconvene.train.TrainingConfig;

/**
 * What the padded convolution path (the kernel check's fallback) costs against the default one,
 * on one network: its training step and its inference latency at batch 1, in alternating blocks
 * within one run. On a host whose default kernels are wrong the default's time is still the
 * meaningful baseline; its numbers are not.
 */
public final class ConvPathBenchmark {

    /** The figures of one network. */
    public record Result(String model, String method, double sparsity, List<Integer> widths, int batch,
            double defaultStepMs, double paddedStepMs, double defaultB1Ms, double paddedB1Ms) {

        /** The padded path's step time over the default's. */
        public double stepRatio() {
            return paddedStepMs / defaultStepMs;
        }

        /** The padded path's batch-1 latency over the default's. */
        public double latencyRatio() {
            return paddedB1Ms / defaultB1Ms;
        }
    }

    private ConvPathBenchmark() {}

    /** Prunes {@code model} with {@code method} (SynFlow scores, seed 0) and times both paths. */
    @SuppressWarnings("try") // the path scope is used for its effect on the computations inside it
    public static Result run(String model, String method, double sparsity, int batch, int threads, int steps,
            int rounds) {
        Engines.setThreads(threads);
        ModelSpec spec = Architectures.get(model).defaultSpec(10);
        PruningConfig config = PruningConfig.builder().setMethod(PruningMethod.parse(method)).optScorer("synflow")
                .optSparsity(sparsity).build();
        List<Double> steps0 = new ArrayList<>();
        List<Double> steps1 = new ArrayList<>();
        List<Double> lat0 = new ArrayList<>();
        List<Double> lat1 = new ArrayList<>();
        try (PrunedNetwork p = PrunedNetwork.builder().setSpec(spec).setConfig(config).setSeed(0).build();
                NDManager m = NDManager.newBaseManager()) {
            Network net = p.network();
            int side = spec.inputSize();
            Random r = new Random(0);
            float[] xs = new float[batch * spec.inputChannels() * side * side];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            float[] ys = new float[batch];
            for (int i = 0; i < batch; i++) {
                ys[i] = r.nextInt(10);
            }
            NDArray x = m.create(xs, new Shape(batch, spec.inputChannels(), side, side));
            NDArray y = m.create(ys);
            LatencyMeter meter = LatencyMeter.of(5, 30);
            try (TrainStep step = new TrainStep(net, TrainingConfig.builder().build())) {
                for (int round = 0; round < rounds; round++) {
                    for (ConvPath path : ConvPath.values()) {
                        try (Engines.PathScope scope = Engines.computeOn(path)) {
                            net.requireGradients(true);
                            double ms = TrainBenchmark.block(step, x, y, steps, round == 0 ? 3 : 1, new ArrayList<>());
                            net.requireGradients(false);
                            double b1 = meter.medianMs(net, 1);
                            (path == ConvPath.DEFAULT ? steps0 : steps1).add(ms);
                            (path == ConvPath.DEFAULT ? lat0 : lat1).add(b1);
                        }
                    }
                }
            }
            return new Result(model, method, sparsity, List.copyOf(net.spec().widths().values()), batch,
                    median(steps0), median(steps1), median(lat0), median(lat1));
        }
    }

    private static double median(List<Double> v) {
        return LatencyMeter.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
