package org.reconvene.structured;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.model.Layer;

/**
 * Derives the channel groups of a layer graph by following which channels flow into each layer.
 *
 * <p>The walk carries the group of the tensor in flight: a convolution reads the current group
 * and produces its own, BatchNorm joins the current group, a Linear layer reads it, and a
 * residual block runs both branches from the same input and checks that they end in the same
 * group. The result maps every group to its producers, norms and consumers, and every layer to
 * the group it reads.
 */
public final class ChannelGroups {

    private final Map<String, ChannelGroup> groups;
    private final Map<String, String> inputGroup;
    private final Map<String, String> outputGroup;

    private ChannelGroups(Map<String, ChannelGroup> groups, Map<String, String> inputGroup, Map<String, String> outputGroup) {
        this.groups = groups;
        this.inputGroup = inputGroup;
        this.outputGroup = outputGroup;
    }

    /** Analyses {@code layers}, whose input has {@code inputChannels} channels. */
    public static ChannelGroups of(List<Layer> layers, int inputChannels) {
        Builder b = new Builder();
        b.width.put(ChannelGroup.INPUT, inputChannels);
        b.walk(layers, ChannelGroup.INPUT);
        Map<String, ChannelGroup> groups = new LinkedHashMap<>();
        for (String g : b.width.keySet()) {
            groups.put(g, new ChannelGroup(g, b.width.get(g), List.copyOf(b.producers.getOrDefault(g, List.of())),
                    List.copyOf(b.norms.getOrDefault(g, List.of())), List.copyOf(b.consumers.getOrDefault(g, List.of()))));
        }
        return new ChannelGroups(groups, b.inputGroup, b.outputGroup);
    }

    /** Every group, in order of first appearance (the input first). */
    public Map<String, ChannelGroup> groups() {
        return groups;
    }

    /** The group called {@code name}. */
    public ChannelGroup group(String name) {
        ChannelGroup g = groups.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no channel group '" + name + "'");
        }
        return g;
    }

    /** The group a convolution, BatchNorm or Linear layer reads. */
    public String inputOf(String layer) {
        return inputGroup.get(layer);
    }

    /** The group a convolution or BatchNorm layer writes (BatchNorm: the group it normalizes). */
    public String outputOf(String layer) {
        return outputGroup.get(layer);
    }

    /** Groups that convolutions produce (everything but the input). */
    public List<ChannelGroup> prunable() {
        List<ChannelGroup> out = new ArrayList<>();
        for (ChannelGroup g : groups.values()) {
            if (!g.name().equals(ChannelGroup.INPUT)) {
                out.add(g);
            }
        }
        return out;
    }

    private static final class Builder {
        final Map<String, Integer> width = new LinkedHashMap<>();
        final Map<String, List<String>> producers = new LinkedHashMap<>();
        final Map<String, List<String>> norms = new LinkedHashMap<>();
        final Map<String, List<String>> consumers = new LinkedHashMap<>();
        final Map<String, String> inputGroup = new LinkedHashMap<>();
        final Map<String, String> outputGroup = new LinkedHashMap<>();

        String walk(List<Layer> layers, String current) {
            for (Layer l : layers) {
                current = l.accept(new Step(current));
            }
            return current;
        }

        /** Records one layer's place between groups and returns the group its output is in. */
        private final class Step implements Layer.Visitor<String> {
            private final String current;

            Step(String current) {
                this.current = current;
            }

            @Override
            public String conv(Layer.Conv c) {
                if (c.depthwise()) {
                    // its output channels are its input channels: a producer of the group it reads
                    inputGroup.put(c.name(), current);
                    if (width.get(current) != c.outChannels()) {
                        throw new IllegalStateException("depthwise " + c.name() + " has " + c.outChannels()
                                + " channels but reads group " + current + " of " + width.get(current));
                    }
                    producers.computeIfAbsent(current, k -> new ArrayList<>()).add(c.name());
                    outputGroup.put(c.name(), current);
                    return current;
                }
                consumers.computeIfAbsent(current, k -> new ArrayList<>()).add(c.name());
                inputGroup.put(c.name(), current);
                Integer w = width.putIfAbsent(c.group(), c.outChannels());
                if (w != null && w != c.outChannels()) {
                    throw new IllegalStateException("group " + c.group() + " has widths " + w + " and "
                            + c.outChannels() + " (" + c.name() + ")");
                }
                producers.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c.name());
                outputGroup.put(c.name(), c.group());
                return c.group();
            }

            @Override
            public String batchNorm(Layer.BatchNorm bn) {
                norms.computeIfAbsent(current, k -> new ArrayList<>()).add(bn.name());
                inputGroup.put(bn.name(), current);
                outputGroup.put(bn.name(), current);
                return current;
            }

            @Override
            public String linear(Layer.Linear f) {
                consumers.computeIfAbsent(current, k -> new ArrayList<>()).add(f.name());
                inputGroup.put(f.name(), current);
                return "output:" + f.name();
            }

            // Activations and pooling keep channels where they are.
            @Override
            public String relu(Layer.Relu r) {
                return current;
            }

            @Override
            public String relu6(Layer.Relu6 r) {
                return current;
            }

            @Override
            public String maxPool(Layer.MaxPool p) {
                return current;
            }

            @Override
            public String avgPool(Layer.AvgPool p) {
                return current;
            }

            @Override
            public String globalAvgPool(Layer.GlobalAvgPool g) {
                return current;
            }

            @Override
            public String residual(Layer.Residual r) {
                String main = walk(r.main(), current);
                String shortcut = r.shortcut().isEmpty() ? current : walk(r.shortcut(), current);
                if (!main.equals(shortcut)) {
                    throw new IllegalStateException("residual " + r.name() + " adds groups " + main + " and " + shortcut);
                }
                return main;
            }
        }
    }
}
