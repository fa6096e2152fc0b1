package org.reconvene.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One node of a network's layer graph: the immutable description that a {@link Network}
 * computes with and that pruning rewrites.
 *
 * <p>Graphs are plain lists run in order; a {@link Residual} nests two lists whose outputs are
 * added. Layers that own parameters carry a unique {@code name}, the prefix of their tensor
 * names; {@link ParameterNames} is the one place those names are formed. Layers are values: a
 * narrower network is a new list built by the same {@link Architecture} from smaller widths.
 *
 * <p>Code that does something per kind of layer implements {@link Visitor}, which has one method
 * per kind and no defaults: adding a kind to {@code permits} is a compile error in every walk
 * that has to handle it (running, tensor lists, profiles, channel groups, BatchNorm folding,
 * export). How each tensor is sliced when channels are removed is stated once per tensor role,
 * in {@code structured.ChannelRebuilder}.
 */
public sealed interface Layer
        permits Layer.Conv,
                Layer.BatchNorm,
                Layer.Linear,
                Layer.Relu,
                Layer.Relu6,
                Layer.MaxPool,
                Layer.AvgPool,
                Layer.GlobalAvgPool,
                Layer.Residual {

    /** Calls the method of {@code v} for this layer's kind. */
    <R> R accept(Visitor<R> v);

    /** One operation per kind of layer; see the class comment. */
    interface Visitor<R> {
        R conv(Conv c);

        R batchNorm(BatchNorm b);

        R linear(Linear f);

        R relu(Relu r);

        R relu6(Relu6 r);

        R maxPool(MaxPool p);

        R avgPool(AvgPool p);

        R globalAvgPool(GlobalAvgPool g);

        R residual(Residual r);
    }

    /**
     * Every layer of {@code graph} except residual blocks, depth first in graph order (a
     * residual's main path, then its shortcut): the order tensors are listed and exported in.
     */
    static List<Layer> flatten(List<Layer> graph) {
        List<Layer> out = new ArrayList<>();
        flattenInto(graph, out);
        return out;
    }

    private static void flattenInto(List<Layer> graph, List<Layer> out) {
        for (Layer l : graph) {
            if (l instanceof Residual r) {
                flattenInto(r.main(), out);
                flattenInto(r.shortcut(), out);
            } else {
                out.add(l);
            }
        }
    }

    /**
     * A square 2-D convolution: dense ({@code groups} 1) or depthwise ({@code groups} equal to its
     * input and output channels, one filter per channel).
     *
     * @param group the channel group of its output channels; convolutions whose outputs are
     *     added by a residual connection share one group and must keep the same channels. A
     *     depthwise convolution's output channels are its input channels: its group is its input's
     */
    record Conv(
            String name,
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            boolean bias,
            String group,
            int groups)
            implements Layer {

        /** A dense convolution ({@code groups} 1). */
        public Conv(String name, int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias,
                String group) {
            this(name, inChannels, outChannels, kernel, stride, padding, bias, group, 1);
        }

        /** Validates the grouping: dense, or depthwise with equal input and output channels. */
        public Conv {
            if (groups != 1 && (groups != inChannels || groups != outChannels)) {
                throw new IllegalArgumentException("convolution " + name + ": only dense (groups 1) or depthwise "
                        + "(groups = channels) convolutions are supported, got " + inChannels + " -> " + outChannels
                        + " in " + groups + " groups");
            }
        }

        /** A depthwise convolution of {@code channels} channels, whose group is {@code group} (its input's). */
        public static Conv depthwise(String name, int channels, int kernel, int stride, int padding, boolean bias,
                String group) {
            return new Conv(name, channels, channels, kernel, stride, padding, bias, group, channels);
        }

        /** Whether it is depthwise: one filter per channel. */
        public boolean depthwise() {
            return groups > 1;
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.conv(this);
        }

        public String weightName() {
            return ParameterNames.weight(name);
        }

        public String biasName() {
            return ParameterNames.bias(name);
        }
    }

    /** Batch normalization over the channels of the preceding convolution. */
    record BatchNorm(String name, int channels) implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.batchNorm(this);
        }

        public String gammaName() {
            return ParameterNames.weight(name);
        }

        public String betaName() {
            return ParameterNames.bias(name);
        }

        public String runningMeanName() {
            return ParameterNames.runningMean(name);
        }

        public String runningVarName() {
            return ParameterNames.runningVar(name);
        }
    }

    /** A fully connected layer; its input is flattened first. */
    record Linear(String name, int inFeatures, int outFeatures, boolean bias) implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.linear(this);
        }

        public String weightName() {
            return ParameterNames.weight(name);
        }

        public String biasName() {
            return ParameterNames.bias(name);
        }
    }

    /** Rectified linear unit. */
    record Relu() implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.relu(this);
        }
    }

    /** Rectified linear unit clipped at 6: {@code min(max(x, 0), 6)} (MobileNet's, ONNX's {@code Clip(0, 6)}). */
    record Relu6() implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.relu6(this);
        }
    }

    /** Max pooling with a square window. */
    record MaxPool(int kernel, int stride) implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.maxPool(this);
        }
    }

    /** Average pooling with a square window. */
    record AvgPool(int kernel, int stride) implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.avgPool(this);
        }
    }

    /** Average over all spatial positions. */
    record GlobalAvgPool() implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.globalAvgPool(this);
        }
    }

    /**
     * A residual block: {@code main(x) + shortcut(x)}; an empty shortcut is the identity.
     * The activation after the addition is a separate {@link Relu} that follows the block.
     */
    record Residual(String name, List<Layer> main, List<Layer> shortcut) implements Layer {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.residual(this);
        }

        public Residual {
            main = List.copyOf(main);
            shortcut = List.copyOf(shortcut);
        }
    }
}
