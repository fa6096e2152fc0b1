package org.reconvene.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Arrays;

/**
 * The one call into the engine's float32 convolution, shared by networks and the kernel check, and
 * the zero padding that {@link ConvPath#PADDED} computes with.
 *
 * <p>For tests, {@value #FAULT_PROPERTY}{@code =defect} (or {@link #injectFault}) makes the engine's
 * convolution behave like the defective kernels it guards against, on any machine: NaN outputs
 * where more than 16 unaligned input channels are read, NaN input gradients where the output
 * channels are unaligned (the real kernels' errors turn to NaN when the memory they read but never
 * wrote holds NaN bytes). The kernel check then finds the default path wrong and falls back.
 * {@code =all} makes every convolution's output NaN, so that no path is right.
 */
public final class Convolutions {

    /** The system property that injects the simulated defect; for tests only. */
    public static final String FAULT_PROPERTY = "reconvene.kernels.fault";

    /** A simulated kernel fault, for tests. */
    public enum Fault {
        /** None: the engine's kernels as they are. */
        NONE,
        /** The defect of libtorch 2.7.1's oneDNN on affected hosts (see the class comment). */
        DEFECT,
        /** Every convolution wrong: no path can be right. */
        ALL
    }

    private static volatile Fault fault = Fault.valueOf(
            System.getProperty(FAULT_PROPERTY, "none").trim().toUpperCase(java.util.Locale.ROOT));

    private Convolutions() {}

    /** The simulated fault in effect in this JVM. */
    public static Fault fault() {
        return fault;
    }

    /** Injects (or with {@link Fault#NONE} removes) a simulated fault; tests re-run the kernel check afterwards. */
    public static void injectFault(Fault f) {
        fault = java.util.Objects.requireNonNull(f);
    }

    /**
     * The 2-D convolution of {@code x} (N, C, H, W) with {@code weight} (O, C/groups, K, K), square
     * stride and zero padding, dilation 1, computed as {@code path} says; {@code bias} may be null.
     * {@code groups} is 1, or the channel count for a depthwise convolution.
     *
     * @param inputGradient whether backward will compute the gradient of {@code x} (grad mode is on
     *     and {@code x} is a leaf that requires one, or an activation computed from parameters):
     *     true is always correct; false lets the padded path skip padding the output side
     */
    public static NDArray conv2d(ConvPath path, NDArray x, NDArray weight, NDArray bias, int stride, int padding,
            int groups, boolean inputGradient) {
        int in = (int) x.getShape().get(1);
        int out = (int) weight.getShape().get(0);
        boolean depthwise = groups > 1;
        if (depthwise && (groups != in || groups != out)) {
            throw new IllegalArgumentException("grouped convolutions other than depthwise are not supported: "
                    + in + " -> " + out + " in " + groups + " groups");
        }
        // The output side only matters for the input gradient: without one (inference, or an
        // image input) the output is computed at its own width.
        int pout = inputGradient ? path.physicalOut(out) : out;
        // a depthwise convolution's input channels are its output channels
        int pin = depthwise ? Math.max(pout, path.physicalIn(in)) : path.physicalIn(in);
        if (depthwise) {
            pout = pin;
        }
        if (pout == out && pin == in) {
            return conv2d(x, weight, bias, stride, padding, groups, inputGradient);
        }
        NDArray xp = pad(x, 1, pin, 0);
        NDArray wp = pad(weight, 0, pout, 0);
        if (!depthwise) {
            NDArray outOnly = wp;
            wp = pad(outOnly, 1, pin, 0);
            closeCopy(outOnly, weight, wp);
        }
        NDArray bp = bias == null ? null : pad(bias, 0, pout, 0);
        NDArray y = conv2d(xp, wp, bp, stride, padding, depthwise ? pout : 1, inputGradient);
        closeCopy(xp, x, null);
        closeCopy(wp, weight, null);
        closeCopy(bp, bias, null);
        if (pout == out) {
            return y;
        }
        NDArray sliced = y.get(new NDIndex(":, :{}", out));
        y.close();
        return sliced;
    }

    /**
     * Closes {@code copy} once used, unless it is {@code original} or {@code kept}: autograd holds
     * its own reference to whatever backward needs, so only the Java handle goes.
     */
    private static void closeCopy(NDArray copy, NDArray original, NDArray kept) {
        if (copy != null && copy != original && copy != kept) {
            copy.close();
        }
    }

    /** The engine's convolution as it is (the {@link ConvPath#DEFAULT} path). */
    private static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding, int groups,
            boolean inputGradient) {
        NDArray y = Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), groups).singletonOrThrow();
        return switch (fault) {
            case NONE -> y;
            case DEFECT -> simulateDefect(x, weight, y, inputGradient);
            case ALL -> {
                NDArray wrong = y.add(Float.NaN);
                y.close();
                yield wrong;
            }
        };
    }

    /**
     * {@code y} as the defective kernels would leave it: NaN everywhere when more than one block of
     * unaligned input channels is read; a NaN input gradient when the output channels are unaligned.
     */
    private static NDArray simulateDefect(NDArray x, NDArray weight, NDArray y, boolean inputGradient) {
        int in = (int) x.getShape().get(1);
        int out = (int) weight.getShape().get(0);
        NDArray result = y;
        if (in > ConvPath.BLOCK && in % ConvPath.BLOCK != 0) {
            result = result.add(Float.NaN);
        }
        if (out % ConvPath.BLOCK != 0 && inputGradient) {
            // sqrt(0 * x) is 0 with an infinite derivative: adds nothing, and NaN to dX
            try (NDArray zero = x.mul(0).sqrt().sum()) {
                NDArray valueless = zero.sub(zero.stopGradient());
                NDArray before = result;
                result = before.add(valueless);
                closeCopy(before, y, null);
                valueless.close();
            }
        }
        if (result != y) {
            y.close();
        }
        return result;
    }

    /**
     * {@code a} with dimension {@code dim} extended to {@code size} by entries equal to {@code value}
     * (differentiable; the gradient of the original entries passes through); {@code a} itself when
     * it is that size already. The result belongs to {@code a}'s manager.
     */
    public static NDArray pad(NDArray a, int dim, long size, double value) {
        long have = a.getShape().get(dim);
        if (have == size) {
            return a;
        }
        if (have > size) {
            throw new IllegalArgumentException("cannot pad dimension " + dim + " of " + a.getShape() + " to " + size);
        }
        // PyTorch's pad lists (before, after) pairs from the last dimension backwards.
        long[] pairs = new long[2 * (a.getShape().dimension() - dim)];
        pairs[pairs.length - 1] = size - have;
        return a.pad(new Shape(pairs), value);
    }
}
