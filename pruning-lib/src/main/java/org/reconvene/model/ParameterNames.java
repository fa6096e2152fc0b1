package org.reconvene.model;

import java.util.List;

/**
 * The one place tensor names are formed: a layer's tensors are its name plus a suffix, as
 * PyTorch's {@code state_dict} names them, so saved networks, masks and exported files agree
 * with a PyTorch peer key for key.
 */
public final class ParameterNames {

    private static final String WEIGHT = ".weight";
    private static final String BIAS = ".bias";
    private static final String RUNNING_MEAN = ".running_mean";
    private static final String RUNNING_VAR = ".running_var";

    private ParameterNames() {}

    /** A convolution's or Linear layer's weight; a BatchNorm's scale (gamma). */
    public static String weight(String layer) {
        return layer + WEIGHT;
    }

    /** A convolution's or Linear layer's bias; a BatchNorm's shift (beta). */
    public static String bias(String layer) {
        return layer + BIAS;
    }

    public static String runningMean(String layer) {
        return layer + RUNNING_MEAN;
    }

    public static String runningVar(String layer) {
        return layer + RUNNING_VAR;
    }

    /** Every tensor name a BatchNorm named {@code layer} owns. */
    public static List<String> ofBatchNorm(String layer) {
        return List.of(weight(layer), bias(layer), runningMean(layer), runningVar(layer));
    }
}
