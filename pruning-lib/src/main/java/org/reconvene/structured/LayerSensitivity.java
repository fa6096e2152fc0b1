package org.reconvene.structured;

/**
 * PSE's verdict on one convolution: its mask density, structured width, retained saliency,
 * sensitivity and whether it is non-sensitive; {@code saliency} holds the channel saliencies.
 */
public record LayerSensitivity(
        String layer,
        int channels,
        double density,
        int width,
        double retained,
        double sensitivity,
        boolean nonSensitive,
        double[] saliency) {}
