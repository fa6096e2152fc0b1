package org.reconvene.deploy;

import java.util.Arrays;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.Normalization;

/**
 * What an exported graph does to its input before the network sees it, so that a device feeds it
 * plain pixels on the [0, 1] scale, {@code storedSide} square: zero-pad them, centred, to the
 * model's input size (Fashion-MNIST's 28x28 to 32x32, as {@code data.IdxReader} does), then
 * subtract each channel's {@code mean} and divide by its {@code std} (the training split's
 * statistics, as the batch sampler does).
 */
public record InputTransform(float[] mean, float[] std, int storedSide) {

    /** Validates. */
    public InputTransform {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length
                    + " and " + std.length);
        }
        if (storedSide < 1) {
            throw new IllegalArgumentException("storedSide must be positive, got " + storedSide);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The transform of {@code ds}: its training split's statistics and the side its images are stored at. */
    public static InputTransform of(ImageDataset ds) {
        Normalization n = Normalization.fromSplit(ds.train());
        return new InputTransform(n.means(), n.stds(), ds.storedSide());
    }

    /** Mean 0, std 1, no padding: the graph takes already normalised input of {@code side} square. */
    public static InputTransform identity(int channels, int side) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new InputTransform(new float[channels], ones, side);
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }
}
