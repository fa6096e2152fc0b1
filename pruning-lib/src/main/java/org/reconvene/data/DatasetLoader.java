package org.reconvene.data;

import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for reading a dataset from any Hadoop file system URI ({@code file:}, {@code hdfs:},
 * {@code s3a:}, or a plain local path) into memory.
 *
 * <p>Stateless; each call detects the layout with {@link DatasetFormat#locate}, reads both splits
 * completely and returns an immutable {@link ImageDataset}. Bad input (missing or truncated files,
 * labels out of range, corrupt images, unknown layouts) raises {@link IllegalArgumentException}
 * with a message naming the file, which the CLI maps to exit code 2; failures of the storage itself
 * raise {@link java.io.UncheckedIOException} naming the path.
 */
public final class DatasetLoader {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);


    /** The side class-folder images are resized to when no model says otherwise. */
    public static final int DEFAULT_SIDE = 32;

    private DatasetLoader() {
    }

    /** Loads whatever layout {@code uri} holds, with a default Hadoop configuration. */
    public static ImageDataset load(String uri) {
        return load(uri, (Configuration) null);
    }

    /**
     * Loads whatever layout {@code uri} holds; images in class folders are resized to {@code side}
     * (the model's input side). The other layouts have their own side.
     */
    public static ImageDataset load(String uri, int side) {
        return loadChecked(uri, null, null, side);
    }

    /** Loads {@code uri} as {@code expectedName} (see {@link #load(String, String, Configuration)}), class folders at {@code side}. */
    public static ImageDataset load(String uri, String expectedName, int side) {
        return loadChecked(uri, Dataset.of(expectedName), null, side);
    }

    /**
     * Loads whatever layout {@code uri} holds. The dataset is named after the detected layout
     * ({@code cifar10}, {@code cifar100} or {@code tinyimagenet}).
     *
     * @param conf Hadoop configuration (credentials, endpoints); {@code null} for the defaults
     */
    public static ImageDataset load(String uri, Configuration conf) {
        return loadChecked(uri, null, conf, DEFAULT_SIDE);
    }

    /** Loads {@code uri}, checking that it holds the layout of {@code expectedName}, with default configuration. */
    public static ImageDataset load(String uri, String expectedName) {
        return load(uri, expectedName, null);
    }

    /**
     * Loads {@code uri}, checking that its layout matches the dataset the caller configured, so that
     * a trial labelled {@code cifar100} can never silently train on CIFAR-10 files. The returned
     * dataset carries {@code expectedName} as its name.
     *
     * <p>{@code synthetic} accepts the CIFAR-10 layout (32x32) and the Tiny ImageNet layout (64x64)
     * that {@link SyntheticImageGenerator} writes. {@code cifar10} additionally requires exactly 10
     * classes, since other class counts can only come from a synthetic dataset.
     *
     * @param expectedName one of {@link Dataset#names()}
     * @throws IllegalArgumentException for an unknown name, a layout mismatch or bad input
     */
    public static ImageDataset load(String uri, String expectedName, Configuration conf) {
        if (expectedName == null) {
            throw new IllegalArgumentException("expected dataset name is null; use one of " + Dataset.names());
        }
        return loadChecked(uri, Dataset.of(expectedName), conf, DEFAULT_SIDE);
    }

    private static ImageDataset loadChecked(String uri, Dataset expected, Configuration conf, int side) {
        long start = System.nanoTime();
        HadoopFiles.Location loc = HadoopFiles.resolve(uri, conf);
        DatasetFormat.Located located = DatasetFormat.locate(loc.fs(), loc.path());
        DatasetFormat format = located.format();
        if (expected != null && !expected.formats().contains(format)) {
            throw new IllegalArgumentException("dataset '" + expected.id() + "' expects the " + expected.formats()
                    .stream().map(DatasetFormat::description).sorted().collect(java.util.stream.Collectors.joining(" or "))
                    + " layout but " + loc.uri() + " holds the " + format.description() + " layout");
        }
        String name = expected != null ? expected.id()
                : HadoopFiles.isFile(loc.fs(), new Path(located.root(), SyntheticImageGenerator.MARKER))
                        ? Dataset.SYNTHETIC.id() : format.datasetName();
        ImageDataset ds;
        try {
            ds = switch (format) {
                case CIFAR10 -> CifarBinaryReader.readCifar10(loc.fs(), located.root(), name);
                case CIFAR100 -> CifarBinaryReader.readCifar100(loc.fs(), located.root(), name);
                case TINY_IMAGENET -> TinyImageNetReader.read(loc.fs(), located.root(), name);
                case IDX -> IdxReader.read(loc.fs(), located.root(), name);
                case CLASS_FOLDERS -> ClassFolderReader.read(loc.fs(), located.root(), name, side);
            };
        } catch (OutOfMemoryError e) {
            // The readers check what a file can hold before allocating; what remains is a dataset
            // larger than this JVM's heap. It is reported, never thrown on as an Error.
            throw new IllegalArgumentException("the dataset at " + located.root() + " does not fit in memory (max heap "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB); raise -Xmx (RECONVENE_JAVA_OPTS)");
        }
        if (expected == Dataset.CIFAR10 && ds.numClasses() != Dataset.CIFAR10.classes()) {
            throw new IllegalArgumentException("dataset 'cifar10' must have 10 classes but " + located.root()
                    + "/batches.meta.txt lists " + ds.numClasses() + "; load it as 'synthetic' instead");
        }
        LOG.info("Loaded {} from {} ({}): {} train, {} test, {} classes, {}x{} in {} ms", name, located.root(),
                format.description(), ds.train().size(), ds.test().size(), ds.numClasses(), ds.imageSize(),
                ds.imageSize(), (System.nanoTime() - start) / 1_000_000);
        return ds;
    }
}
