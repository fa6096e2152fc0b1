package org.reconvene.model;

import java.util.List;

/**
 * One node of a network's layer graph: the immutable description that a {@link Network}
 * computes with and that pruning rewrites.
 *
 * <p>Graphs are plain lists run in order; a {@link Residual} nests two lists whose outputs are
 * added. Layers that own parameters carry a unique {@code name}, the prefix of their parameter
 * names ({@code name + ".weight"} and so on). Layers are values: a narrower network is a new
 * list built by the same {@link Architecture} from smaller widths.
 */
public sealed interface Layer
        permits Layer.Conv,
                Layer.BatchNorm,
                Layer.Linear,
                Layer.Relu,
                Layer.MaxPool,
                Layer.AvgPool,
                Layer.GlobalAvgPool,
                Layer.Residual {

    /**
     * A square 2-D convolution.
     *
     * @param group the channel group of its output channels; convolutions whose outputs are
     *     added by a residual connection share one group and must keep the same channels
     */
    record Conv(
            String name,
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            boolean bias,
            String group)
            implements Layer {}

    /** Batch normalization over the channels of the preceding convolution. */
    record BatchNorm(String name, int channels) implements Layer {}

    /** A fully connected layer; its input is flattened first. */
    record Linear(String name, int inFeatures, int outFeatures, boolean bias) implements Layer {}

    /** Rectified linear unit. */
    record Relu() implements Layer {}

    /** Max pooling with a square window. */
    record MaxPool(int kernel, int stride) implements Layer {}

    /** Average pooling with a square window. */
    record AvgPool(int kernel, int stride) implements Layer {}

    /** Average over all spatial positions. */
    record GlobalAvgPool() implements Layer {}

    /**
     * A residual block: {@code main(x) + shortcut(x)}; an empty shortcut is the identity.
     * The activation after the addition is a separate {@link Relu} that follows the block.
     */
    record Residual(String name, List<Layer> main, List<Layer> shortcut) implements Layer {
        public Residual {
            main = List.copyOf(main);
            shortcut = List.copyOf(shortcut);
        }
    }
}
