package org.reconvene.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.reconvene.provenance.Seeds;

/**
 * Cuts an {@link ImageSplit} into normalised, optionally shuffled and augmented mini-batches for
 * one epoch at a time, reproducibly from a seed.
 *
 * <p>Lifecycle: configure once with {@link #builder()}, then call {@link #epoch(int)} for each
 * epoch. The sampler itself is immutable and thread-safe; each iterator returned by an epoch's
 * {@code Iterable} is single-threaded and independent, and iterating the same epoch twice yields
 * identical batches. All randomness of epoch {@code e} (the shuffle, then each image's crop offset
 * and flip, in batch order) comes from one {@link SplittableRandom} seeded from {@code (seed, e)},
 * so epochs differ from each other while any run with the same seed repeats exactly.
 *
 * <p>Augmentation is the standard CIFAR recipe: a random {@code height x width} crop of the image
 * padded by {@code padding} pixels on every side, then a horizontal flip with probability 1/2. The
 * padding is 0 in normalised space, which is the same as padding the raw image with each channel's
 * mean. (torchvision pads raw pixels with black instead; mean padding keeps the border
 * indistinguishable from the zero padding the first convolution already sees.)
 */
public final class BatchSampler {

    private final ImageSplit split;
    private final Normalization normalization;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean augment;
    private final long seed;
    private final int maxBatches;
    private final boolean dropLast;
    private final int padding;

    private BatchSampler(Builder b) {
        this.split = b.split;
        this.normalization = b.normalization;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.augment = b.augment;
        this.seed = b.seed;
        this.maxBatches = b.maxBatches;
        this.dropLast = b.dropLast;
        this.padding = b.padding;
    }

    /** A builder with shuffling and augmentation off, seed 0, no batch cap and the last partial batch kept. */
    public static Builder builder() {
        return new Builder();
    }

    /** Batches per epoch, after {@code optDropLast} and {@code optMaxBatches}. */
    public int numBatches() {
        int n = split.size();
        int full = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
        return Math.min(full, maxBatches);
    }

    /** Images per epoch: the sum of the sizes of the {@link #numBatches()} batches. */
    public int numSamples() {
        int nb = numBatches();
        if (nb == 0) {
            return 0;
        }
        return Math.min(split.size(), nb * batchSize);
    }

    public int batchSize() {
        return batchSize;
    }

    public ImageSplit split() {
        return split;
    }

    public Normalization normalization() {
        return normalization;
    }

    /**
     * The batches of epoch {@code epochIndex} (0-based). Nothing is computed until iteration; each
     * call of {@code iterator()} starts the epoch afresh from the same random state.
     */
    public Iterable<Batch> epoch(int epochIndex) {
        if (epochIndex < 0) {
            throw new IllegalArgumentException("epochIndex must be non-negative, got " + epochIndex);
        }
        return () -> new EpochIterator(epochIndex);
    }

    /** Mixes seed and epoch so neighbouring seeds and epochs give unrelated streams. */
    static long epochSeed(long seed, int epoch) {
        return Seeds.mix64(seed ^ Seeds.mix64(Seeds.GOLDEN * (epoch + 1L)));
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final SplittableRandom rng;
        private final int[] order;
        private final int total;
        private int next;

        EpochIterator(int epochIndex) {
            rng = new SplittableRandom(epochSeed(seed, epochIndex));
            int n = split.size();
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            if (shuffle) {
                Seeds.shuffle(order, rng);
            }
            total = numBatches();
        }

        @Override
        public boolean hasNext() {
            return next < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch has " + total + " batches");
            }
            int start = next * batchSize;
            int size = Math.min(batchSize, split.size() - start);
            next++;
            int c = split.channels();
            int h = split.height();
            int w = split.width();
            int per = c * h * w;
            float[] x = new float[size * per];
            int[] y = new int[size];
            int[] idx = new int[size];
            byte[] px = split.pixelArray();
            int[] labels = split.labelArray();
            for (int k = 0; k < size; k++) {
                int i = order[start + k];
                idx[k] = i;
                y[k] = labels[i];
                if (augment) {
                    int oy = rng.nextInt(2 * padding + 1) - padding;
                    int ox = rng.nextInt(2 * padding + 1) - padding;
                    boolean flip = rng.nextBoolean();
                    fillAugmented(px, i * per, x, k * per, c, h, w, oy, ox, flip);
                } else {
                    normalization.apply(px, i * per, h * w, x, k * per);
                }
            }
            return new Batch(x, y, idx, size, c, h, w);
        }
    }

    /**
     * Writes {@code out(y, x) = in(y + oy, x' + ox)} with {@code x' = flip ? w-1-x : x}, leaving
     * out-of-range positions at the 0 the fresh array already holds. The valid x range is worked
     * out once per row so the inner loop is a plain table lookup.
     */
    private void fillAugmented(byte[] px, int src, float[] dst, int dstOff, int channels, int h, int w, int oy,
                               int ox, boolean flip) {
        int plane = h * w;
        // Output columns whose source column (x' + ox) lies inside [0, w).
        int lo;
        int hi;
        if (!flip) {
            lo = Math.max(0, -ox);
            hi = Math.min(w, w - ox);
        } else {
            // x' = w-1-x, so w-1-x+ox in [0, w) <=> x in (ox-1, w-1+ox].
            lo = Math.max(0, ox);
            hi = Math.min(w, w + ox);
        }
        int y0 = Math.max(0, -oy);
        int y1 = Math.min(h, h - oy);
        for (int c = 0; c < channels; c++) {
            float[] t = normalization.table(c);
            int srcPlane = src + c * plane;
            int dstPlane = dstOff + c * plane;
            for (int yy = y0; yy < y1; yy++) {
                int srcRow = srcPlane + (yy + oy) * w;
                int dstRow = dstPlane + yy * w;
                if (!flip) {
                    int s = srcRow + ox;
                    for (int xx = lo; xx < hi; xx++) {
                        dst[dstRow + xx] = t[px[s + xx] & 0xFF];
                    }
                } else {
                    int s = srcRow + w - 1 + ox;
                    for (int xx = lo; xx < hi; xx++) {
                        dst[dstRow + xx] = t[px[s - xx] & 0xFF];
                    }
                }
            }
        }
    }

    /**
     * Configures a {@link BatchSampler}; {@code set*} options are required, {@code opt*} options
     * have defaults.
     */
    public static final class Builder {
        private ImageSplit split;
        private Normalization normalization;
        private int batchSize;
        private boolean shuffle;
        private boolean augment;
        private long seed;
        private int maxBatches = Integer.MAX_VALUE;
        private boolean dropLast;
        private int padding = 4;

        private Builder() {
        }

        /** The split to sample from (required). */
        public Builder setSplit(ImageSplit split) {
            this.split = split;
            return this;
        }

        /** Images per batch (required, positive). */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Statistics of the training split (required, also for the test split). */
        public Builder setNormalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** Whether each epoch visits the images in a fresh random order (default false). */
        public Builder optShuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Whether to apply random crop and flip; for training splits only (default false). */
        public Builder optAugment(boolean augment) {
            this.augment = augment;
            return this;
        }

        /** Seed of all randomness (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Upper bound on batches per epoch, for quick runs (default unbounded). */
        public Builder optMaxBatches(int maxBatches) {
            this.maxBatches = maxBatches;
            return this;
        }

        /** Whether to drop a final batch smaller than the batch size (default false). */
        public Builder optDropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Zero padding of the random crop in pixels per side (default 4); 0 leaves only the flip. */
        public Builder optPadding(int padding) {
            this.padding = padding;
            return this;
        }

        /**
         * Validates the options and builds the sampler.
         *
         * @throws IllegalArgumentException naming the option that is missing or out of range
         */
        public BatchSampler build() {
            if (split == null) {
                throw new IllegalArgumentException("setSplit is required");
            }
            if (normalization == null) {
                throw new IllegalArgumentException("setNormalization is required");
            }
            normalization.checkChannels(split);
            if (batchSize <= 0) {
                throw new IllegalArgumentException("setBatchSize must be positive, got " + batchSize);
            }
            if (maxBatches <= 0) {
                throw new IllegalArgumentException("optMaxBatches must be positive, got " + maxBatches);
            }
            if (padding < 0 || padding > Math.min(split.height(), split.width())) {
                throw new IllegalArgumentException("optPadding must be in [0, " + Math.min(split.height(), split.width())
                        + "], got " + padding);
            }
            return new BatchSampler(this);
        }
    }
}
