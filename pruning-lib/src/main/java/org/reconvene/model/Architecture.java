package org.reconvene.model;

import org.reconvene.data.Dataset;
import java.util.List;

/**
 * A family of networks that builds a layer graph from a {@link ModelSpec}.
 *
 * <p>An architecture knows its default widths and which datasets it fits; given any spec of
 * its name it builds the graph, checking that the widths are complete and that channels joined
 * by a residual addition have equal widths.
 */
public interface Architecture {

    /** The name used in configs and on the command line, e.g. {@code resnet20}. */
    String name();

    /** Side of the square input the architecture is designed for (32 or 64). */
    int inputSize();

    /** Dataset names this architecture runs on: those whose images are its input side ({@link Dataset#fitting}). */
    default List<String> datasets() {
        return Dataset.fitting(inputSize());
    }

    /**
     * Fails unless it runs on {@code dataset}.
     *
     * @throws IllegalArgumentException naming the model, the dataset and what it supports
     */
    default void requireSupports(String dataset) {
        Dataset d = Dataset.of(dataset);
        if (!datasets().contains(d.id())) {
            throw new IllegalArgumentException("model " + name() + " does not support dataset " + d.id()
                    + "; it supports " + String.join(", ", datasets()));
        }
    }

    /** The spec of the unpruned network for {@code numClasses} classes of {@code inputChannels}-channel images. */
    ModelSpec defaultSpec(int numClasses, int inputChannels);

    /** The spec of the unpruned network for {@code numClasses} classes of colour (3-channel) images. */
    default ModelSpec defaultSpec(int numClasses) {
        return defaultSpec(numClasses, 3);
    }

    /** Builds the layer graph for {@code spec}, whose arch must be this one. */
    List<Layer> build(ModelSpec spec);
}
