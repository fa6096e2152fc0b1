package org.reconvene.data;

import java.nio.ByteBuffer;

/**
 * One split (train or test) of a labelled image dataset held in memory as raw unsigned bytes.
 *
 * <p>Images are stored back to back in CHW order (all of channel 0 row by row, then channel 1, ...),
 * one byte per value, which is the layout of the CIFAR binary files and a quarter of the memory of
 * floats; normalisation to floats happens per batch in {@link BatchSampler}.
 *
 * <p>Lifecycle: built once by {@link DatasetLoader} (or by a test), then only read. The constructor
 * takes ownership of the arrays it is given without copying them, because a copy of a 150 MB split
 * would double peak memory while loading; callers must not modify them afterwards. Instances are
 * immutable after construction and safe to share between threads.
 */
public final class ImageSplit {

    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;
    private final byte[] pixels;
    private final int[] labels;
    /** Computed on first use: a pass over every pixel, wanted by the scorer, trainer and export. */
    private volatile Normalization normalization;

    /**
     * Creates a split over {@code labels.length} images.
     *
     * @param channels   channels per image (3 for RGB)
     * @param height     image height in pixels
     * @param width      image width in pixels
     * @param numClasses number of classes; every label must lie in {@code [0, numClasses)}
     * @param pixels     {@code labels.length * channels * height * width} bytes, CHW per image;
     *                   owned by the split from now on
     * @param labels     one class index per image; owned by the split from now on
     * @throws IllegalArgumentException naming the offending value when shapes or labels are invalid
     */
    public ImageSplit(int channels, int height, int width, int numClasses, byte[] pixels, int[] labels) {
        if (channels <= 0) {
            throw new IllegalArgumentException("channels must be positive, got " + channels);
        }
        if (height <= 0) {
            throw new IllegalArgumentException("height must be positive, got " + height);
        }
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width);
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        if (pixels == null) {
            throw new IllegalArgumentException("pixels must not be null");
        }
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        long per = (long) channels * height * width;
        long expected = per * labels.length;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels has length " + pixels.length + " but " + labels.length
                    + " images of " + channels + "x" + height + "x" + width + " need " + expected);
        }
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l < 0 || l >= numClasses) {
                throw new IllegalArgumentException("label " + l + " of image " + i + " is outside [0, "
                        + numClasses + ")");
            }
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Bytes per image, {@code channels * height * width}. */
    public int imageBytes() {
        return channels * height * width;
    }

    /** Class index of image {@code i}. */
    public int label(int i) {
        checkIndex(i);
        return labels[i];
    }

    /** A copy of all labels in image order. */
    public int[] labels() {
        return labels.clone();
    }

    /** Number of images per class, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** A copy of image {@code i}'s bytes in CHW order. */
    public byte[] image(int i) {
        byte[] out = new byte[imageBytes()];
        copyImage(i, out, 0);
        return out;
    }

    /** Copies image {@code i}'s CHW bytes into {@code dst} at {@code dstOffset}, avoiding an allocation. */
    public void copyImage(int i, byte[] dst, int dstOffset) {
        checkIndex(i);
        int n = imageBytes();
        System.arraycopy(pixels, i * n, dst, dstOffset, n);
    }

    /**
     * A read-only view of all pixel bytes, for bulk consumers in other packages that must not pay
     * for a copy of the whole split.
     */
    public ByteBuffer pixelBuffer() {
        return ByteBuffer.wrap(pixels).asReadOnlyBuffer();
    }

    /** The backing array, for the hot paths of this package only; never modified through it. */
    byte[] pixelArray() {
        return pixels;
    }

    /** The backing label array, for the hot paths of this package only. */
    int[] labelArray() {
        return labels;
    }

    /**
     * A new split holding copies of the given images in the given order. Indices may repeat (for
     * example for a bootstrap sample).
     *
     * @throws IllegalArgumentException naming the position and value of an out-of-range index
     */
    public ImageSplit subset(int[] indices) {
        if (indices == null) {
            throw new IllegalArgumentException("indices must not be null");
        }
        int n = imageBytes();
        byte[] px = new byte[Math.multiplyExact(indices.length, n)];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= labels.length) {
                throw new IllegalArgumentException("index " + i + " at position " + k + " is outside [0, "
                        + labels.length + ")");
            }
            System.arraycopy(pixels, i * n, px, k * n, n);
            lb[k] = labels[i];
        }
        return new ImageSplit(channels, height, width, numClasses, px, lb);
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IndexOutOfBoundsException("image index " + i + " is outside [0, " + labels.length + ")");
        }
    }

    @Override
    public String toString() {
        return "ImageSplit[" + size() + " x " + channels + "x" + height + "x" + width + ", " + numClasses
                + " classes]";
    }

    /**
     * The per-channel statistics of this split's pixels ({@link Normalization#fromSplit}),
     * computed once per split and then shared: the pruning data, the trainer and the exported
     * model of a trial all standardise with the training split's, and must not pay for it thrice.
     */
    public Normalization normalization() {
        Normalization n = normalization;
        if (n == null) {
            // a race computes the same value twice at worst: the split never changes
            n = Normalization.fromSplit(this);
            normalization = n;
        }
        return n;
    }
}
