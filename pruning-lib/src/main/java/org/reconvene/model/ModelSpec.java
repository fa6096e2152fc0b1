package org.reconvene.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The explicit description a network is built from: architecture, input, classes and the output
 * width of every convolution.
 *
 * <p>A spec is what gets saved with a network and what pruning produces: a structurally pruned
 * network is the same architecture built from a spec with smaller widths. Widths are keyed by
 * convolution name in graph order. Instances are immutable; {@link #withWidths} derives new ones.
 */
public final class ModelSpec {

    private final String arch;
    private final int numClasses;
    private final int inputSize;
    private final int inputChannels;
    private final Map<String, Integer> widths;
    private final boolean batchNormFolded;

    /** Creates a spec; the architecture validates the widths when it builds the graph. */
    public ModelSpec(
            String arch,
            int numClasses,
            int inputSize,
            int inputChannels,
            Map<String, Integer> widths) {
        this(arch, numClasses, inputSize, inputChannels, widths, false);
    }

    /**
     * Creates a spec whose graph, if {@code batchNormFolded}, has every BatchNorm that follows a
     * convolution folded into that convolution (which then has a bias): the inference form that
     * {@link BatchNormFolding} produces.
     */
    public ModelSpec(
            String arch,
            int numClasses,
            int inputSize,
            int inputChannels,
            Map<String, Integer> widths,
            boolean batchNormFolded) {
        this.arch = Objects.requireNonNull(arch, "arch");
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, got " + numClasses);
        }
        if (inputSize < 1 || inputChannels < 1) {
            throw new IllegalArgumentException(
                    "input must be positive, got " + inputChannels + "x" + inputSize);
        }
        this.numClasses = numClasses;
        this.inputSize = inputSize;
        this.inputChannels = inputChannels;
        this.widths = Collections.unmodifiableMap(new LinkedHashMap<>(widths));
        this.batchNormFolded = batchNormFolded;
    }

    /** Whether BatchNorm is folded into the convolutions (an inference-only network). */
    public boolean batchNormFolded() {
        return batchNormFolded;
    }

    /** This spec with BatchNorm folded into the convolutions. */
    public ModelSpec withBatchNormFolded() {
        return new ModelSpec(arch, numClasses, inputSize, inputChannels, widths, true);
    }

    /** The architecture name, e.g. {@code vgg16}. */
    public String arch() {
        return arch;
    }

    /** Number of output classes of the classifier. */
    public int numClasses() {
        return numClasses;
    }

    /** Height and width of the square input image. */
    public int inputSize() {
        return inputSize;
    }

    /** Channels of the input image. */
    public int inputChannels() {
        return inputChannels;
    }

    /** Output width of every convolution, keyed by layer name, in graph order. */
    public Map<String, Integer> widths() {
        return widths;
    }

    /** The output width of convolution {@code conv}. */
    public int width(String conv) {
        Integer w = widths.get(conv);
        if (w == null) {
            throw new IllegalArgumentException(
                    "spec of " + arch + " has no width for layer '" + conv + "'");
        }
        return w;
    }

    /** A copy with some widths replaced. */
    public ModelSpec withWidths(Map<String, Integer> changed) {
        Map<String, Integer> next = new LinkedHashMap<>(widths);
        for (Map.Entry<String, Integer> e : changed.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                throw new IllegalArgumentException(
                        "spec of " + arch + " has no layer '" + e.getKey() + "'");
            }
            next.put(e.getKey(), e.getValue());
        }
        return new ModelSpec(arch, numClasses, inputSize, inputChannels, next, batchNormFolded);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModelSpec)) {
            return false;
        }
        ModelSpec s = (ModelSpec) o;
        return arch.equals(s.arch)
                && numClasses == s.numClasses
                && inputSize == s.inputSize
                && inputChannels == s.inputChannels
                && widths.equals(s.widths)
                && batchNormFolded == s.batchNormFolded;
    }

    @Override
    public int hashCode() {
        return Objects.hash(arch, numClasses, inputSize, inputChannels, widths, batchNormFolded);
    }

    @Override
    public String toString() {
        return arch + "(classes=" + numClasses + ", input=" + inputChannels + "x" + inputSize
                + ", widths=" + widths.values() + (batchNormFolded ? ", batchnorm folded" : "") + ")";
    }
}
