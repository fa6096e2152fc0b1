package org.reconvene.data;

import java.util.List;
import java.util.Objects;

/**
 * A complete labelled image dataset as used by one trial: its train and test splits plus the
 * metadata needed to build a model for it (class count, image size) and to record provenance
 * (name, source URI).
 *
 * <p>Lifecycle: produced by {@link DatasetLoader#load(String)} and then only read; immutable and
 * safe to share between threads. The constructor checks that both splits agree with the declared
 * shape and class count, so downstream code can rely on {@code train().width() == imageSize()}.
 */
public final class ImageDataset {

    private final String name;
    private final int numClasses;
    private final List<String> classNames;
    private final ImageSplit train;
    private final ImageSplit test;
    private final int imageSize;
    private final int channels;
    private final String sourceUri;
    private final int storedSide;

    /**
     * Creates a dataset.
     *
     * @param name       dataset name as used in configs ({@code cifar10}, {@code cifar100},
     *                   {@code tinyimagenet}, {@code synthetic})
     * @param classNames one human-readable name per class, in class-index order
     * @param train      training split
     * @param test       test split (the {@code val} split for Tiny ImageNet)
     * @param sourceUri  where the data was read from, for provenance
     * @throws IllegalArgumentException when the splits disagree with each other or with the
     *                                  class names
     */
    public ImageDataset(String name, List<String> classNames, ImageSplit train, ImageSplit test, String sourceUri) {
        this(name, classNames, train, test, sourceUri, train.height());
    }

    /**
     * Creates a dataset whose images were stored {@code storedSide} pixels square and zero-padded,
     * centred, to the splits' size when loaded (the MNIST family: 28 to 32).
     */
    public ImageDataset(String name, List<String> classNames, ImageSplit train, ImageSplit test, String sourceUri,
            int storedSide) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(classNames, "classNames");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.height() != train.width()) {
            throw new IllegalArgumentException("images must be square, got " + train.height() + "x" + train.width());
        }
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("train images are " + train.channels() + "x" + train.height() + "x"
                    + train.width() + " but test images are " + test.channels() + "x" + test.height() + "x"
                    + test.width());
        }
        if (train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException("train split has " + train.numClasses() + " classes but test split has "
                    + test.numClasses());
        }
        if (classNames.size() != train.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names given for " + train.numClasses()
                    + " classes");
        }
        this.name = name;
        this.numClasses = train.numClasses();
        this.classNames = List.copyOf(classNames);
        this.train = train;
        this.test = test;
        this.imageSize = train.height();
        this.channels = train.channels();
        this.sourceUri = sourceUri == null ? "" : sourceUri;
        if (storedSide < 1 || storedSide > imageSize) {
            throw new IllegalArgumentException("stored side " + storedSide + " must be in [1, " + imageSize + "]");
        }
        this.storedSide = storedSide;
    }

    /**
     * Side of the images as stored, before the loader padded them to {@link #imageSize()}: the
     * input a deployed model takes ({@code deploy.InputTransform} pads inside the graph).
     */
    public int storedSide() {
        return storedSide;
    }

    /** Dataset name as used in configs and result rows. */
    public String name() {
        return name;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Class names in class-index order (unmodifiable). */
    public List<String> classNames() {
        return classNames;
    }

    public ImageSplit train() {
        return train;
    }

    public ImageSplit test() {
        return test;
    }

    /** Side length of the square images: 32 for the CIFAR layouts, 64 for Tiny ImageNet. */
    public int imageSize() {
        return imageSize;
    }

    public int channels() {
        return channels;
    }

    /** The URI the dataset was loaded from, after resolving a layout subfolder. */
    public String sourceUri() {
        return sourceUri;
    }

    @Override
    public String toString() {
        return "ImageDataset[" + name + ", " + numClasses + " classes, " + channels + "x" + imageSize + "x" + imageSize
                + ", train=" + train.size() + ", test=" + test.size() + ", source=" + sourceUri + "]";
    }
}
