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
        return role == Role.CONV_WEIGHT || role == Role.LINEAR_WEIGHT;
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
        collect(layers, out);
        return out;
    }

    private static void collect(List<Layer> layers, List<ParameterInfo> out) {
        for (Layer l : layers) {
            if (l instanceof Layer.Conv c) {
                int fanIn = c.inChannels() * c.kernel() * c.kernel();
                out.add(new ParameterInfo(c.name() + ".weight", c.name(), Role.CONV_WEIGHT,
                        new long[] {c.outChannels(), c.inChannels(), c.kernel(), c.kernel()}, fanIn));
                if (c.bias()) {
                    out.add(new ParameterInfo(c.name() + ".bias", c.name(), Role.CONV_BIAS,
                            new long[] {c.outChannels()}, fanIn));
                }
            } else if (l instanceof Layer.BatchNorm b) {
                long[] shape = {b.channels()};
                out.add(new ParameterInfo(b.name() + ".weight", b.name(), Role.BN_GAMMA, shape, 0));
                out.add(new ParameterInfo(b.name() + ".bias", b.name(), Role.BN_BETA, shape, 0));
                out.add(new ParameterInfo(b.name() + ".running_mean", b.name(),
                        Role.BN_RUNNING_MEAN, shape, 0));
                out.add(new ParameterInfo(b.name() + ".running_var", b.name(),
                        Role.BN_RUNNING_VAR, shape, 0));
            } else if (l instanceof Layer.Linear f) {
                out.add(new ParameterInfo(f.name() + ".weight", f.name(), Role.LINEAR_WEIGHT,
                        new long[] {f.outFeatures(), f.inFeatures()}, f.inFeatures()));
                if (f.bias()) {
                    out.add(new ParameterInfo(f.name() + ".bias", f.name(), Role.LINEAR_BIAS,
                            new long[] {f.outFeatures()}, f.inFeatures()));
                }
            } else if (l instanceof Layer.Residual r) {
                collect(r.main(), out);
                collect(r.shortcut(), out);
            }
        }
    }
}
