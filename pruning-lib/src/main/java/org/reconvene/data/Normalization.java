package org.reconvene.data;

import java.util.Arrays;

/**
 * Per-channel standardisation of pixel bytes, {@code (x/255 - mean_c) / std_c}, with statistics
 * taken from a training split and then applied unchanged to the test split.
 *
 * <p>Lifecycle: created once per split by {@link ImageSplit#normalization()} (which calls
 * {@link #fromSplit(ImageSplit)} and keeps the result), or with {@link #of} for
 * published constants; then handed to every {@link BatchSampler} of that dataset. Immutable and
 * thread-safe. Because inputs are bytes, each channel's mapping is precomputed as a 256-entry
 * table, so normalising an image is one lookup per value.
 */
public final class Normalization {

    private final float[] mean;
    private final float[] std;
    private final float[][] table;

    private Normalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
        this.table = new float[mean.length][256];
        for (int c = 0; c < mean.length; c++) {
            for (int v = 0; v < 256; v++) {
                table[c][v] = (float) ((v / 255.0 - mean[c]) / std[c]);
            }
        }
    }

    /**
     * Mean and (population) standard deviation of each channel over every pixel of every image in
     * {@code split}, on the [0, 1] scale. A channel that is constant gets std 1 rather than 0, so
     * it maps to a constant instead of dividing by zero.
     *
     * @throws IllegalArgumentException when the split is empty
     */
    public static Normalization fromSplit(ImageSplit split) {
        if (split.size() == 0) {
            throw new IllegalArgumentException("cannot compute normalisation statistics of an empty split");
        }
        int channels = split.channels();
        int plane = split.height() * split.width();
        int per = split.imageBytes();
        byte[] px = split.pixelArray();
        // Histograms are exact and make the pass a single increment per byte; long sums of
        // 150M values would also be exact but need a multiply per value.
        long[][] hist = new long[channels][256];
        for (int i = 0, n = split.size(); i < n; i++) {
            int base = i * per;
            for (int c = 0; c < channels; c++) {
                long[] h = hist[c];
                int start = base + c * plane;
                int end = start + plane;
                for (int k = start; k < end; k++) {
                    h[px[k] & 0xFF]++;
                }
            }
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        double count = (double) split.size() * plane;
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int v = 0; v < 256; v++) {
                s += hist[c][v] * (v / 255.0);
            }
            double m = s / count;
            double var = 0;
            for (int v = 0; v < 256; v++) {
                double d = v / 255.0 - m;
                var += hist[c][v] * d * d;
            }
            double sd = Math.sqrt(var / count);
            mean[c] = (float) m;
            std[c] = sd > 1e-12 ? (float) sd : 1f;
        }
        return new Normalization(mean, std);
    }

    /**
     * Normalisation with given statistics on the [0, 1] scale, e.g. the commonly published CIFAR-10
     * values.
     *
     * @throws IllegalArgumentException when lengths differ or a std is not positive
     */
    public static Normalization of(float[] mean, float[] std) {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std must be non-empty and of equal length, got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + c + " needs a finite mean and a positive std, got mean "
                        + mean[c] + " std " + std[c]);
            }
        }
        return new Normalization(mean.clone(), std.clone());
    }

    public int channels() {
        return mean.length;
    }

    /** Mean of channel {@code c} on the [0, 1] scale. */
    public float mean(int c) {
        return mean[c];
    }

    /** Standard deviation of channel {@code c} on the [0, 1] scale. */
    public float std(int c) {
        return std[c];
    }

    /** Copy of all channel means. */
    public float[] means() {
        return mean.clone();
    }

    /** Copy of all channel standard deviations. */
    public float[] stds() {
        return std.clone();
    }

    /** The normalised value of one unsigned byte {@code value} (0..255) of channel {@code c}. */
    public float normalize(int c, int value) {
        return table[c][value & 0xFF];
    }

    /**
     * Normalises one CHW image of {@code channels() * pixelsPerChannel} bytes from {@code src} into
     * {@code dst}.
     */
    public void apply(byte[] src, int srcOffset, int pixelsPerChannel, float[] dst, int dstOffset) {
        for (int c = 0; c < mean.length; c++) {
            float[] t = table[c];
            int s = srcOffset + c * pixelsPerChannel;
            int d = dstOffset + c * pixelsPerChannel;
            for (int k = 0; k < pixelsPerChannel; k++) {
                dst[d + k] = t[src[s + k] & 0xFF];
            }
        }
    }

    /** Image {@code index} of {@code split} normalised, in CHW order. */
    public float[] apply(ImageSplit split, int index) {
        checkChannels(split);
        float[] out = new float[split.imageBytes()];
        int plane = split.height() * split.width();
        if (index < 0 || index >= split.size()) {
            throw new IndexOutOfBoundsException("image index " + index + " is outside [0, " + split.size() + ")");
        }
        apply(split.pixelArray(), index * split.imageBytes(), plane, out, 0);
        return out;
    }

    void checkChannels(ImageSplit split) {
        if (split.channels() != mean.length) {
            throw new IllegalArgumentException("normalisation has " + mean.length + " channels but the split has "
                    + split.channels());
        }
    }

    /** The lookup table of channel {@code c}, shared and never modified; for the sampler's hot loop. */
    float[] table(int c) {
        return table[c];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization other && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
