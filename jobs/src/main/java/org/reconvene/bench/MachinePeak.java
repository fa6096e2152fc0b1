package org.reconvene.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.reconvene.engine.Engines;
import org.reconvene.metrics.LatencyMeter;

/**
 * This machine's float32 limit, two ways: the nominal peak from the core count and clock
 * ({@code cores * MHz * 32} FLOP per cycle, two 256-bit FMA pipes), and the measured rate of a
 * large single-precision matrix product through the same PyTorch build the platform uses, which
 * is the practical ceiling for convolutions.
 */
public final class MachinePeak {

    /** The two peaks in GFLOP/s; {@code nominal} is NaN where the clock cannot be read. */
    public record Result(int threads, double nominal, double sgemm) {}

    private MachinePeak() {}

    /** Measures with {@code threads} PyTorch threads: the median of 7 products of {@code n x n}. */
    public static Result measure(int threads, int n) {
        Engines.setThreads(threads);
        double[] ms = new double[7];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            for (int i = 0; i < 2; i++) {
                a.matMul(b).close();
            }
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0);
                }
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double sgemm = 2.0 * n * n * n / (LatencyMeter.median(ms) / 1000) / 1e9;
        return new Result(threads, threads * mhz() * 32 / 1000, sgemm);
    }

    private static double mhz() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) {
                    return Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unusual cpuinfo: no nominal figure
        }
        return Double.NaN;
    }
}
