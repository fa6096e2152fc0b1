package org.reconvene.structured;

import java.util.List;

/**
 * A set of channels that must be pruned together: the output channels of its producer
 * convolutions, normalized by its BatchNorm layers and read by its consumers.
 *
 * <p>In VGG every convolution is its own group. In a ResNet the stem, every block's second
 * convolution and the projection shortcuts of a stage write into one residual stream, so they
 * form one group (DepGraph's coupling); removing channel j means removing it from all of them and
 * from every layer that reads the stream. The input image is the group {@code input}, which is
 * never narrowed.
 *
 * @param name the group's name, as in {@link org.reconvene.model.Layer.Conv#group()}
 * @param width its number of channels
 * @param producers convolutions writing these channels
 * @param norms BatchNorm layers over these channels
 * @param consumers convolutions and Linear layers reading these channels as input
 */
public record ChannelGroup(String name, int width, List<String> producers, List<String> norms, List<String> consumers) {

    /** The name of the input image's channels. */
    public static final String INPUT = "input";
}
