package org.reconvene.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What one tensor of a network is: its name, owning layer, role and shape.
 *
 * <p>Describes trainable parameters and BatchNorm running statistics alike; {@link #trainable()}
 * tells them apart. Only convolution and Linear weights are {@link #prunable()} (docs/METHOD.md
 * section 2).
 */
public record ParameterInfo(String name, String layer, Role role, long[] shape, int fanIn) {

    /** What a tensor does in its layer. */
    public enum Role {
        CONV_WEIGHT,
        /** A depthwise convolution's weight (channels, 1, k, k): its channels are its input's and its output's at once. */
        DEPTHWISE_WEIGHT,
        CONV_BIAS,
        LINEAR_WEIGHT,
        LINEAR_BIAS,
        BN_GAMMA,
        BN_BETA,
        BN_RUNNING_MEAN,
        BN_RUNNING_VAR
    }

    /** Whether the optimizer updates it (running statistics are buffers, not parameters). */
    public boolean trainable() {
        return role != Role.BN_RUNNING_MEAN && role != Role.BN_RUNNING_VAR;
    }

    /** Whether pruning may mask it: the weights of convolutions and Linear layers. */
    public boolean prunable() {
        return role == Role.CONV_WEIGHT || role == Role.DEPTHWISE_WEIGHT || role == Role.LINEAR_WEIGHT;
    }

    /** Number of elements. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Every tensor of {@code layers} in graph order (a residual's main path, then shortcut). */
    public static List<ParameterInfo> describe(List<Layer> layers) {
        List<ParameterInfo> out = new ArrayList<>();
        for (Layer l : Layer.flatten(layers)) {
            out.addAll(l.accept(TENSORS));
        }
        return out;
    }

    /** The tensors one layer owns, per kind: the single statement of what each kind stores. */
    private static final Layer.Visitor<List<ParameterInfo>> TENSORS = new Layer.Visitor<>() {
        @Override
        public List<ParameterInfo> conv(Layer.Conv c) {
            int perGroup = c.inChannels() / c.groups();
            int fanIn = perGroup * c.kernel() * c.kernel();
            ParameterInfo w = new ParameterInfo(c.weightName(), c.name(),
                    c.depthwise() ? Role.DEPTHWISE_WEIGHT : Role.CONV_WEIGHT,
                    new long[] {c.outChannels(), perGroup, c.kernel(), c.kernel()}, fanIn);
            return c.bias()
                    ? List.of(w, new ParameterInfo(c.biasName(), c.name(), Role.CONV_BIAS,
                            new long[] {c.outChannels()}, fanIn))
                    : List.of(w);
        }

        @Override
        public List<ParameterInfo> batchNorm(Layer.BatchNorm b) {
            long[] shape = {b.channels()};
            return List.of(
                    new ParameterInfo(b.gammaName(), b.name(), Role.BN_GAMMA, shape, 0),
                    new ParameterInfo(b.betaName(), b.name(), Role.BN_BETA, shape, 0),
                    new ParameterInfo(b.runningMeanName(), b.name(), Role.BN_RUNNING_MEAN, shape, 0),
                    new ParameterInfo(b.runningVarName(), b.name(), Role.BN_RUNNING_VAR, shape, 0));
        }

        @Override
        public List<ParameterInfo> linear(Layer.Linear f) {
            ParameterInfo w = new ParameterInfo(f.weightName(), f.name(), Role.LINEAR_WEIGHT,
                    new long[] {f.outFeatures(), f.inFeatures()}, f.inFeatures());
            return f.bias()
                    ? List.of(w, new ParameterInfo(f.biasName(), f.name(), Role.LINEAR_BIAS,
                            new long[] {f.outFeatures()}, f.inFeatures()))
                    : List.of(w);
        }

        @Override
        public List<ParameterInfo> relu(Layer.Relu r) {
            return List.of();
        }

        @Override
        public List<ParameterInfo> relu6(Layer.Relu6 r) {
            return List.of();
        }

        @Override
        public List<ParameterInfo> maxPool(Layer.MaxPool p) {
            return List.of();
        }

        @Override
        public List<ParameterInfo> avgPool(Layer.AvgPool p) {
            return List.of();
        }

        @Override
        public List<ParameterInfo> globalAvgPool(Layer.GlobalAvgPool g) {
            return List.of();
        }

        @Override
        public List<ParameterInfo> residual(Layer.Residual r) {
            throw new IllegalStateException("flatten() removes residual blocks; their layers are listed one by one");
        }
    };
}
