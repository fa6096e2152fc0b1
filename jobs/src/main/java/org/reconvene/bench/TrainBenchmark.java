package org.reconvene.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.reconvene.engine.Engines;
import org.reconvene.metrics.LatencyMeter;
import org.reconvene.metrics.NetworkMetrics;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.train.TrainStep;
import org.reconvene.train.TrainingConfig;

/**
 * Training step time of a dense network against PyTorch eager on the same architecture, batch,
 * optimizer and thread count, as a ratio taken in one run.
 *
 * <p>The run alternates blocks: some of our steps, then a block of the PyTorch reference
 * ({@code bench/torch_train_step.py} in a child process), and so on, so that both sides see the
 * same machine load; each side's figure is the median over its blocks of each block's median step.
 * Achieved GFLOP/s counts a training step as three forward passes (forward, and backward with
 * twice the forward's work) of {@code 2 * MACs} FLOPs per sample.
 */
public final class TrainBenchmark {

    /** The figures of one model. */
    public record Result(String model, int batch, int threads, double ms, double torchMs, String torchVersion,
            long macs, double[] phases, double[] torchPhases) {

        /** Our step time over PyTorch's (below 1: faster). */
        public double ratio() {
            return ms / torchMs;
        }

        /** Achieved training GFLOP/s of our step. */
        public double gflops() {
            return 6.0 * macs * batch / (ms / 1000) / 1e9;
        }
    }

    private TrainBenchmark() {}

    /**
     * Times {@code rounds} alternating blocks of {@code steps} steps each.
     *
     * @param python the interpreter with torch (Debian's {@code /usr/bin/python3})
     * @param script {@code bench/torch_train_step.py}
     */
    public static Result run(String model, int batch, int threads, int steps, int rounds, String python,
            Path script) {
        Engines.setThreads(threads);
        ModelSpec spec = Architectures.get(model).defaultSpec(10);
        TrainingConfig config = TrainingConfig.builder().build();
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        List<double[]> ourPhases = new ArrayList<>();
        List<double[]> theirPhases = new ArrayList<>();
        String version = "?";
        long macs;
        try (NDManager m = NDManager.newBaseManager();
                Network net = Network.builder().setSpec(spec).optSeed(0).optParentManager(m).build()) {
            macs = NetworkMetrics.of(net).macs();
            Random r = new Random(0);
            float[] xs = new float[batch * 3 * 32 * 32];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            float[] ys = new float[batch];
            for (int i = 0; i < batch; i++) {
                ys[i] = r.nextInt(10);
            }
            NDArray x = m.create(xs, new Shape(batch, 3, 32, 32));
            NDArray y = m.create(ys);
            net.requireGradients(true);
            try (TrainStep step = new TrainStep(net, config)) {
                for (int round = 0; round < rounds; round++) {
                    ours.add(block(step, x, y, steps, round == 0 ? 3 : 1, ourPhases));
                    JsonObject ref = torch(python, script, model, batch, threads, steps);
                    version = ref.get("torch").getAsString();
                    double[] ms = new double[ref.getAsJsonArray("ms").size()];
                    for (int i = 0; i < ms.length; i++) {
                        ms[i] = ref.getAsJsonArray("ms").get(i).getAsDouble();
                        var ph = ref.getAsJsonArray("phases_ms").get(i).getAsJsonArray();
                        theirPhases.add(new double[] {ph.get(0).getAsDouble(), ph.get(1).getAsDouble(),
                            ph.get(2).getAsDouble()});
                    }
                    theirs.add(median(ms));
                }
            } finally {
                net.requireGradients(false);
            }
        }
        return new Result(model, batch, threads, median(ours), median(theirs), version, macs, phaseMedians(ourPhases),
                phaseMedians(theirPhases));
    }

    /**
     * The median time in ms of {@code steps} training steps after {@code warmup} untimed ones; each
     * timed step's phase times (forward, backward, update) are added to {@code phases}.
     */
    static double block(TrainStep step, NDArray x, NDArray y, int steps, int warmup, List<double[]> phases) {
        double[] ms = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            // A step's intermediates follow its inputs' manager: lend them to one closed after the
            // step, as the trainer's per-batch manager does, or every step's activations pile up.
            try (NDManager stepManager = x.getManager().newSubManager()) {
                stepManager.tempAttachAll(x, y);
                long t0 = System.nanoTime();
                step.run(x, y, 0.01);
                if (i >= warmup) {
                    ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                    long[] p = step.lastPhaseNanos();
                    phases.add(new double[] {p[0] / 1e6, p[1] / 1e6, p[2] / 1e6});
                }
            }
        }
        return median(ms);
    }

    private static JsonObject torch(String python, Path script, String model, int batch, int threads, int steps) {
        return PythonPeer.run(python, script, "--model", model, "--batch", String.valueOf(batch),
                "--threads", String.valueOf(threads), "--steps", String.valueOf(steps));
    }

    /** Per phase (forward, backward, update), the median over all timed steps. */
    private static double[] phaseMedians(List<double[]> phases) {
        double[] out = new double[3];
        for (int k = 0; k < 3; k++) {
            final int phase = k;
            out[k] = median(phases.stream().mapToDouble(p -> p[phase]).toArray());
        }
        return out;
    }

    private static double median(double[] v) {
        return LatencyMeter.median(v);
    }

    private static double median(List<Double> v) {
        return LatencyMeter.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
