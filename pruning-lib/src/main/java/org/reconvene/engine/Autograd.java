package org.reconvene.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Thread-local control of PyTorch's autograd, used instead of DJL's {@code GradientCollector}.
 *
 * <p>DJL's PyTorch collector is guarded by one JVM-wide flag, so two trials running in one
 * executor JVM would fail when both compute gradients. PyTorch's grad mode itself is
 * thread-local, so scoping it per thread lets trials run side by side. A scope is opened with
 * {@link #enable()} or {@link #disable()} and closed by try-with-resources, which restores the
 * thread's previous mode: new threads start with grad mode <em>on</em> in PyTorch, and every
 * inference path must close that off explicitly or it silently builds graphs.
 */
public final class Autograd implements AutoCloseable {

    private final boolean previous;

    private Autograd(boolean enabled) {
        Engines.ensureLoaded();
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Opens a scope in which operations record a graph for backward. */
    public static Autograd enable() {
        return new Autograd(true);
    }

    /** Opens a scope in which no graph is recorded (inference, optimizer updates). */
    public static Autograd disable() {
        return new Autograd(false);
    }

    /** Whether this thread records a graph for backward. */
    public static boolean isEnabled() {
        return JniUtils.isGradMode();
    }

    /** Whether {@code leaf}, a tensor not computed by an operation, requires a gradient. */
    public static boolean requiresGradient(NDArray leaf) {
        return JniUtils.requiresGrad((PtNDArray) leaf);
    }

    /** Accumulates d(sum of target)/d(leaf) into every leaf that requires a gradient. */
    public static void backward(NDArray target) {
        backward(target, false);
    }

    /**
     * Accumulates gradients of the summed target; with {@code createGraph} the gradients
     * themselves are differentiable, which GraSP's Hessian-gradient product needs.
     */
    public static void backward(NDArray target, boolean createGraph) {
        try (NDArray seed = target.onesLike()) {
            JniUtils.backward((PtNDArray) target, (PtNDArray) seed, createGraph, createGraph);
        }
    }

    /** Sets the accumulated gradient of {@code leaf} to zero, if it has one. */
    public static void zeroGradient(NDArray leaf) {
        JniUtils.zeroGrad((PtNDArray) leaf);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
