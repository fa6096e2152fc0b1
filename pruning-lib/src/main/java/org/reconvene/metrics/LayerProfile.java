package org.reconvene.metrics;

import java.util.ArrayList;
import java.util.List;
import org.reconvene.model.Layer;
import org.reconvene.model.ModelSpec;

/**
 * Per-layer shapes, parameter counts and multiply-accumulates of a layer graph, derived from
 * the graph alone.
 *
 * <p>MACs follow docs/METHOD.md section 7: convolutions and Linear layers only, for one sample; a
 * convolution costs {@code out * in * k * k * Hout * Wout}. Parameters count trainable tensors
 * (weights, biases, BatchNorm gamma and beta), not running statistics.
 */
public final class LayerProfile {

    /** One row: a layer with parameters, its channels, output map side, params and MACs. */
    public record Row(
            String name,
            String kind,
            int inChannels,
            int outChannels,
            int outSize,
            long params,
            long prunable,
            long macs) {}

    private final List<Row> rows;

    private LayerProfile(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** Profiles {@code layers} for a square input of {@code spec}'s size. */
    public static LayerProfile of(ModelSpec spec, List<Layer> layers) {
        List<Row> rows = new ArrayList<>();
        walk(layers, spec.inputSize(), rows);
        return new LayerProfile(rows);
    }

    private static int walk(List<Layer> layers, int size, List<Row> rows) {
        for (Layer l : layers) {
            size = l.accept(new Profiler(size, rows));
        }
        return size;
    }

    /** Adds one layer's row, if it has parameters or MACs, and returns the side of its output. */
    private record Profiler(int size, List<Row> rows) implements Layer.Visitor<Integer> {
        @Override
        public Integer conv(Layer.Conv c) {
            int out = (size + 2 * c.padding() - c.kernel()) / c.stride() + 1;
            long weights = (long) c.outChannels() * (c.inChannels() / c.groups()) * c.kernel() * c.kernel();
            long params = weights + (c.bias() ? c.outChannels() : 0);
            rows.add(new Row(c.name(), (c.depthwise() ? "dwconv" : "conv") + c.kernel() + "x" + c.kernel(),
                    c.inChannels(), c.outChannels(), out, params, weights, weights * out * out));
            return out;
        }

        @Override
        public Integer batchNorm(Layer.BatchNorm b) {
            rows.add(new Row(b.name(), "batchnorm", b.channels(), b.channels(), size,
                    2L * b.channels(), 0, 0));
            return size;
        }

        @Override
        public Integer linear(Layer.Linear f) {
            long weights = (long) f.inFeatures() * f.outFeatures();
            rows.add(new Row(f.name(), "linear", f.inFeatures(), f.outFeatures(), 1,
                    weights + (f.bias() ? f.outFeatures() : 0), weights, weights));
            return 1;
        }

        @Override
        public Integer relu(Layer.Relu r) {
            return size;
        }

        @Override
        public Integer relu6(Layer.Relu6 r) {
            return size;
        }

        @Override
        public Integer maxPool(Layer.MaxPool p) {
            return (size - p.kernel()) / p.stride() + 1;
        }

        @Override
        public Integer avgPool(Layer.AvgPool p) {
            return (size - p.kernel()) / p.stride() + 1;
        }

        @Override
        public Integer globalAvgPool(Layer.GlobalAvgPool g) {
            return 1;
        }

        @Override
        public Integer residual(Layer.Residual r) {
            int main = walk(r.main(), size, rows);
            int shortcut = r.shortcut().isEmpty() ? size : walk(r.shortcut(), size, rows);
            if (main != shortcut) {
                throw new IllegalStateException(
                        "residual " + r.name() + " adds maps of sides " + main + " and " + shortcut);
            }
            return main;
        }
    }

    /** Rows in graph order. */
    public List<Row> rows() {
        return rows;
    }

    /** The row of layer {@code name}. */
    public Row row(String name) {
        return rows.stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer '" + name + "'"));
    }

    /** All trainable parameters. */
    public long params() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    /** Weights of convolutions and Linear layers. */
    public long prunable() {
        return rows.stream().mapToLong(Row::prunable).sum();
    }

    /** Multiply-accumulates of one forward pass of one sample. */
    public long macs() {
        return rows.stream().mapToLong(Row::macs).sum();
    }
}
