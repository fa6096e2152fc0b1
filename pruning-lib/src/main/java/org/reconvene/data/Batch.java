package org.reconvene.data;

/**
 * One mini-batch ready to feed a network: normalised images in NCHW order and their labels.
 *
 * <p>Produced by {@link BatchSampler}; every batch owns fresh arrays, so a consumer may keep or
 * hand them to another thread (for example to copy them into a device tensor while the next batch
 * is being prepared).
 *
 * @param x        {@code size * channels * height * width} normalised values, NCHW
 * @param y        class index of each image
 * @param indices  position of each image in the source {@link ImageSplit}, for debugging and tests
 * @param size     number of images (the last batch of an epoch may be smaller)
 * @param channels channels per image
 * @param height   image height
 * @param width    image width
 */
public record Batch(float[] x, int[] y, int[] indices, int size, int channels, int height, int width) {

    /** Checks that the arrays agree with the declared shape. */
    public Batch {
        if (y.length != size || indices.length != size) {
            throw new IllegalArgumentException("batch of size " + size + " has " + y.length + " labels and "
                    + indices.length + " indices");
        }
        if ((long) size * channels * height * width != x.length) {
            throw new IllegalArgumentException("batch x has length " + x.length + " but shape " + size + "x" + channels
                    + "x" + height + "x" + width);
        }
    }

    /** The NCHW shape, in the form tensor factories take. */
    public long[] shape() {
        return new long[] {size, channels, height, width};
    }
}
