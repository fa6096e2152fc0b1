package org.reconvene.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;

/**
 * Measures inference latency: the median wall time of one forward pass of a batch, after
 * warm-up, with autograd off and BatchNorm in inference mode.
 *
 * <p>When several networks are compared, {@link #compare} interleaves their runs (a, b, a, b,
 * ...) so that a burst of load on a shared machine hits all of them alike; speedups must only
 * be taken from one such call (docs/METHOD.md section 7).
 */
public final class LatencyMeter {

    private final int warmup;
    private final int runs;

    private LatencyMeter(int warmup, int runs) {
        this.warmup = warmup;
        this.runs = runs;
    }

    /** A meter with {@code warmup} discarded runs and {@code runs} timed runs per network. */
    public static LatencyMeter of(int warmup, int runs) {
        if (warmup < 0 || runs < 1) {
            throw new IllegalArgumentException("warmup >= 0 and runs >= 1 required");
        }
        return new LatencyMeter(warmup, runs);
    }

    /** Median milliseconds of one forward pass of a batch of {@code batch} for {@code net}. */
    public double medianMs(Network net, int batch) {
        return compare(List.of(net), batch)[0];
    }

    /** Median milliseconds for each network, measured in alternating runs. */
    public double[] compare(List<Network> nets, int batch) {
        double[][] times = new double[nets.size()][runs];
        try (Autograd ignored = Autograd.disable();
                NDManager m = NDManager.newBaseManager()) {
            List<NDArray> inputs = new ArrayList<>();
            for (Network n : nets) {
                int s = n.spec().inputSize();
                inputs.add(m.randomNormal(new Shape(batch, n.spec().inputChannels(), s, s)));
            }
            for (int r = -warmup; r < runs; r++) {
                for (int i = 0; i < nets.size(); i++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = inputs.get(i);
                        // Intermediates follow the input's manager; lend it to this run's.
                        step.tempAttachAll(x);
                        long t0 = System.nanoTime();
                        NDArray y = nets.get(i).forward(x, false);
                        // Reading one value waits for the result, whatever the engine's laziness.
                        y.getFloat(0, 0);
                        long t1 = System.nanoTime();
                        if (r >= 0) {
                            times[i][r] = (t1 - t0) / 1e6;
                        }
                    }
                }
            }
        }
        double[] out = new double[nets.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = median(times[i]);
        }
        return out;
    }

    /** The median of {@code v} (the mean of the middle two for an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }
}
