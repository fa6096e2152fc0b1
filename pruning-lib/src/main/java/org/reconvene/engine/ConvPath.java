package org.reconvene.engine;

/**
 * How float32 convolutions are computed in this JVM; {@link KernelCheck} chooses one at engine start.
 *
 * <p>libtorch 2.7.1 bundles oneDNN 3.7.1, whose float32 convolution kernels compute wrong results on
 * some hosts when a channel count is not a multiple of the SIMD block (16 floats): the input
 * gradient when the output channels are not, the output when more than 16 input channels are not.
 * Dense widths (16, 32, 64, ...) are right. Structurally pruned networks have widths such as 5, 10
 * or 20, so on such a host every pruned network would train on garbage.
 *
 * <p>{@link #PADDED} computes such a convolution on zero-padded copies: where backward will compute
 * the input's gradient, the weight (and bias) get zero output channels up to the next multiple of
 * {@link #BLOCK}, and an input of more than {@link #BLOCK} unaligned channels gets zero channels to
 * match; the output is sliced back to the layer's width. Inference pads inputs only, so latencies
 * measured on this path are close to the default's. The kernels then see only aligned output widths and input widths that are aligned
 * or at most one block, which the check verifies, and gradients reach the unpadded tensors through
 * the padding. Activations between layers keep their real widths: padding only the output side
 * costs little (measured 6-&gt;16 against 6-&gt;6 channels: about 10 %), padding both sides of every
 * layer doubled a narrow network's step (docs/PERFORMANCE.md).
 */
public enum ConvPath {
    /** The engine's own kernels on the network's widths. */
    DEFAULT("default"),
    /** Unaligned channel counts padded with zeros to multiples of {@link #BLOCK}, the output sliced back. */
    PADDED("padded");

    /** The SIMD block, in float32 channels, of the AVX-512 kernels (the AVX2 ones use 8, which divides it). */
    public static final int BLOCK = 16;

    private final String id;

    ConvPath(String id) {
        this.id = id;
    }

    /** The name in logs, result rows ({@code kernel_path}) and the {@code reconvene.kernels} property. */
    public String id() {
        return id;
    }

    /** The output channels a convolution of {@code out} output channels computes on this path. */
    public int physicalOut(int out) {
        return this == DEFAULT || out % BLOCK == 0 ? out : roundUp(out);
    }

    /** The input channels a convolution of {@code in} input channels reads on this path. */
    public int physicalIn(int in) {
        return this == DEFAULT || in <= BLOCK || in % BLOCK == 0 ? in : roundUp(in);
    }

    private static int roundUp(int c) {
        return (c / BLOCK + 1) * BLOCK;
    }

    @Override
    public String toString() {
        return id;
    }
}
