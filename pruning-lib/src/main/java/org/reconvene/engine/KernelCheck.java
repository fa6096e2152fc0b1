package org.reconvene.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Are this JVM's float32 convolutions right? Runs the convolution shapes that trials use (full and
 * pruned widths, forward and both gradients) through the engine on a {@link ConvPath} and compares
 * each with {@link ReferenceConv}, an independent float64 computation in Java.
 *
 * <p>{@link Engines} runs the check once per JVM, when the engine first loads, and computes on the
 * path it chooses: the default kernels when they are right, else the padded path when that is
 * right, else none (every computation then fails with {@link KernelCheckException}). The
 * {@value #PROPERTY} property (or the {@code RECONVENE_KERNELS} environment variable) set to
 * {@code padded} forces the padded path on any machine; the default, {@code auto}, chooses.
 */
public final class KernelCheck {

    /** The system property choosing the path: {@code auto} (the default) or {@code padded}. */
    public static final String PROPERTY = "reconvene.kernels";
    /** The environment variable read when the property is not set (convenient for Spark executors). */
    public static final String ENV = "RECONVENE_KERNELS";
    /** Largest relative error (max |error| over max |reference|) counted as right; float32 rounding stays near 1e-6. */
    public static final double TOLERANCE = 1e-3;

    /** One convolution checked: batch, input and output channels, square kernel, stride, side, groups. */
    public record ConvShape(int batch, int in, int out, int kernel, int stride, int side, int groups) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "conv %d->%d k%d s%d %dx%d%s b%d", in, out, kernel, stride, side, side,
                    groups == 1 ? "" : " groups " + groups, batch);
        }
    }

    /**
     * The largest relative error of the output (with and without gradients recorded), the weight
     * gradient and the input gradient.
     */
    public record Row(ConvShape shape, ConvPath path, double y, double dw, double dx) {
        /** Whether all three are within {@link #TOLERANCE}. */
        public boolean ok() {
            return y <= TOLERANCE && dw <= TOLERANCE && dx <= TOLERANCE;
        }

        /** The row as printed by {@code doctor} and logged on failure. */
        public String describe() {
            return String.format(Locale.ROOT, "%-28s %-8s y %.1e  dW %.1e  dX %.1e  %s", shape, path, y, dw, dx,
                    ok() ? "ok" : "WRONG");
        }
    }

    /**
     * What a check found and chose.
     *
     * @param path the path computations use, or null when no checked path is right
     * @param mode {@code auto} or {@code padded}, as requested
     * @param rows every shape on every path checked
     * @param millis how long the check took
     */
    public record Outcome(ConvPath path, String mode, List<Row> rows, long millis) {
        public Outcome {
            rows = List.copyOf(rows);
        }

        /** Whether {@code p} was checked and every shape was right on it. */
        public boolean correct(ConvPath p) {
            List<Row> of = rows.stream().filter(r -> r.path() == p).toList();
            return !of.isEmpty() && of.stream().allMatch(Row::ok);
        }

        /** The rows of {@code p} that were wrong. */
        public List<Row> wrong(ConvPath p) {
            return rows.stream().filter(r -> r.path() == p && !r.ok()).toList();
        }

        /** One line: what was checked, what was wrong, the path chosen. */
        public String summary() {
            StringBuilder s = new StringBuilder("kernel check (" + mode + ", " + millis + " ms): ");
            for (ConvPath p : ConvPath.values()) {
                long n = rows.stream().filter(r -> r.path() == p).count();
                if (n == 0) {
                    continue;
                }
                List<Row> bad = wrong(p);
                s.append(p).append(" path ");
                s.append(bad.isEmpty() ? "right on " + n + " shapes" : "WRONG on " + bad.size() + " of " + n
                        + " shapes (first: " + bad.get(0).shape() + ")");
                s.append("; ");
            }
            s.append(path == null ? "no correct path: computations fail" : "computing on the " + path + " path");
            return s.toString();
        }
    }

    private static final List<ConvShape> SHAPES = List.of(
            // full widths
            new ConvShape(16, 16, 16, 3, 1, 16, 1),
            new ConvShape(8, 64, 64, 3, 1, 8, 1),
            new ConvShape(64, 3, 16, 3, 1, 32, 1),
            new ConvShape(64, 1, 16, 3, 1, 32, 1),
            new ConvShape(16, 16, 32, 1, 2, 16, 1),
            // pruned widths: the shapes found wrong on affected hosts
            new ConvShape(64, 20, 20, 3, 1, 8, 1),
            new ConvShape(64, 10, 10, 3, 1, 16, 1),
            new ConvShape(64, 5, 5, 3, 1, 32, 1),
            new ConvShape(64, 16, 20, 3, 1, 8, 1),
            new ConvShape(64, 20, 16, 3, 1, 8, 1),
            new ConvShape(64, 20, 32, 3, 1, 8, 1),
            new ConvShape(64, 12, 24, 3, 2, 16, 1),
            new ConvShape(64, 3, 5, 3, 1, 32, 1),
            new ConvShape(64, 10, 20, 1, 2, 16, 1),
            new ConvShape(16, 40, 40, 3, 1, 8, 1));

    private KernelCheck() {}

    /** The shapes checked, in order. */
    public static List<ConvShape> shapes() {
        return SHAPES;
    }

    /** The requested mode: {@value #PROPERTY}, else {@value #ENV}, else {@code auto}. */
    public static String requestedMode() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        v = v == null || v.isBlank() ? "auto" : v.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("auto") && !v.equals(ConvPath.PADDED.id())) {
            throw new IllegalArgumentException(
                    PROPERTY + " (or " + ENV + ") must be 'auto' or 'padded', got '" + v + "'");
        }
        return v;
    }

    /**
     * Checks and chooses for {@code mode}: {@code auto} checks the default path and, only if it is
     * wrong, the padded one; {@code padded} checks the padded path alone. With {@code everyPath}
     * both are checked whatever the mode (for {@code doctor}).
     */
    public static Outcome run(String mode, boolean everyPath) {
        long t0 = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        ConvPath chosen;
        if (mode.equals("auto") || everyPath) {
            rows.addAll(check(ConvPath.DEFAULT));
        }
        boolean defaultRight = rows.stream().allMatch(Row::ok) && !rows.isEmpty();
        boolean needPadded = everyPath || mode.equals(ConvPath.PADDED.id()) || !defaultRight;
        List<Row> padded = needPadded ? check(ConvPath.PADDED) : List.of();
        rows.addAll(padded);
        boolean paddedRight = !padded.isEmpty() && padded.stream().allMatch(Row::ok);
        if (mode.equals(ConvPath.PADDED.id())) {
            chosen = paddedRight ? ConvPath.PADDED : null;
        } else {
            chosen = defaultRight ? ConvPath.DEFAULT : paddedRight ? ConvPath.PADDED : null;
        }
        return new Outcome(chosen, mode, rows, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Every shape on {@code path}. */
    static List<Row> check(ConvPath path) {
        List<Row> rows = new ArrayList<>();
        Random random = new Random(20240416);
        for (ConvShape s : SHAPES) {
            rows.add(check(path, s, random));
        }
        return rows;
    }

    static Row check(ConvPath path, ConvShape s, Random random) {
        int os = ReferenceConv.outSide(s.side(), s.kernel(), s.stride(), s.kernel() / 2);
        float[] x = normal(random, s.batch() * s.in() * s.side() * s.side(), 1);
        float[] w = normal(random, s.out() * (s.in() / s.groups()) * s.kernel() * s.kernel(), 0.1);
        float[] dy = normal(random, s.batch() * s.out() * os * os, 1);
        ReferenceConv.Result ref = ReferenceConv.compute(x, w, dy, s.batch(), s.in(), s.out(), s.side(), s.kernel(),
                s.stride(), s.kernel() / 2, s.groups());
        float[][] got = engine(path, s, x, w, dy, os);
        double y = Math.max(relativeError(got[0], ref.y()), relativeError(got[3], ref.y()));
        return new Row(s, path, y, relativeError(got[1], ref.dw()), relativeError(got[2], ref.dx()));
    }

    /** y, dW, dX and y computed without gradients, from the engine in float32 on {@code path}. */
    private static float[][] engine(ConvPath path, ConvShape s, float[] xs, float[] ws, float[] dys, int os) {
        try (NDManager m = NDManager.newBaseManager(); Autograd grad = Autograd.enable()) {
            NDArray x = m.create(xs, new Shape(s.batch(), s.in(), s.side(), s.side()));
            NDArray w = m.create(ws, new Shape(s.out(), s.in() / s.groups(), s.kernel(), s.kernel()));
            NDArray dy = m.create(dys, new Shape(s.batch(), s.out(), os, os));
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray y = Convolutions.conv2d(path, x, w, null, s.stride(), s.kernel() / 2, s.groups(), true);
            Autograd.backward(y.mul(dy));
            float[] inference;
            try (Autograd off = Autograd.disable()) {
                // without gradients a path may compute differently (the padded one pads less)
                inference = Convolutions.conv2d(path, x, w, null, s.stride(), s.kernel() / 2, s.groups(), false)
                        .toFloatArray();
            }
            return new float[][] {y.toFloatArray(), w.getGradient().toFloatArray(), x.getGradient().toFloatArray(),
                inference};
        }
    }

    private static float[] normal(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** max |got - ref| / max |ref|; infinite when anything is NaN or infinite. */
    static double relativeError(float[] got, double[] ref) {
        if (got.length != ref.length) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        double scale = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = Math.abs(got[i] - ref[i]);
            if (!Double.isFinite(e)) {
                return Double.POSITIVE_INFINITY;
            }
            d = Math.max(d, e);
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return scale == 0 ? d : d / scale;
    }
}
