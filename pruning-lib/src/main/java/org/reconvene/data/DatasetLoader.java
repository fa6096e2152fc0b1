package org.reconvene.data;

import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
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

    /** Dataset names accepted by {@link #load(String, String)}. */
    public static final List<String> DATASET_NAMES = List.of("cifar10", "cifar100", "tinyimagenet", "fashion-mnist", "mnist",
            "synthetic");

    private DatasetLoader() {
    }

    /** Loads whatever layout {@code uri} holds, with a default Hadoop configuration. */
    public static ImageDataset load(String uri) {
        return load(uri, (Configuration) null);
    }

    /**
     * Loads whatever layout {@code uri} holds. The dataset is named after the detected layout
     * ({@code cifar10}, {@code cifar100} or {@code tinyimagenet}).
     *
     * @param conf Hadoop configuration (credentials, endpoints); {@code null} for the defaults
     */
    public static ImageDataset load(String uri, Configuration conf) {
        return loadChecked(uri, null, conf);
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
     * @param expectedName one of {@link #DATASET_NAMES}
     * @throws IllegalArgumentException for an unknown name, a layout mismatch or bad input
     */
    public static ImageDataset load(String uri, String expectedName, Configuration conf) {
        if (expectedName == null) {
            throw new IllegalArgumentException("expected dataset name is null; use one of " + DATASET_NAMES);
        }
        return loadChecked(uri, expectedName.strip().toLowerCase(Locale.ROOT), conf);
    }

    private static ImageDataset loadChecked(String uri, String expected, Configuration conf) {
        if (expected != null && !DATASET_NAMES.contains(expected)) {
            throw new IllegalArgumentException("unknown dataset name '" + expected + "'; expected one of "
                    + DATASET_NAMES);
        }
        long start = System.nanoTime();
        HadoopFiles.Location loc = HadoopFiles.resolve(uri, conf);
        DatasetFormat.Located located = DatasetFormat.locate(loc.fs(), loc.path());
        DatasetFormat format = located.format();
        if (expected != null && !accepts(expected, format)) {
            throw new IllegalArgumentException("dataset '" + expected + "' expects " + expectedLayout(expected)
                    + " but " + loc.uri() + " holds the " + format.description() + " layout");
        }
        String name = expected != null ? expected : format.datasetName();
        ImageDataset ds = switch (format) {
            case CIFAR10 -> CifarBinaryReader.readCifar10(loc.fs(), located.root(), name);
            case CIFAR100 -> CifarBinaryReader.readCifar100(loc.fs(), located.root(), name);
            case TINY_IMAGENET -> TinyImageNetReader.read(loc.fs(), located.root(), name);
            case IDX -> IdxReader.read(loc.fs(), located.root(), name);
        };
        if ("cifar10".equals(expected) && ds.numClasses() != 10) {
            throw new IllegalArgumentException("dataset 'cifar10' must have 10 classes but " + located.root()
                    + "/batches.meta.txt lists " + ds.numClasses() + "; load it as 'synthetic' instead");
        }
        LOG.info("Loaded {} from {} ({}): {} train, {} test, {} classes, {}x{} in {} ms", name, located.root(),
                format.description(), ds.train().size(), ds.test().size(), ds.numClasses(), ds.imageSize(),
                ds.imageSize(), (System.nanoTime() - start) / 1_000_000);
        return ds;
    }

    private static boolean accepts(String expected, DatasetFormat format) {
        return switch (expected) {
            case "cifar10" -> format == DatasetFormat.CIFAR10;
            case "cifar100" -> format == DatasetFormat.CIFAR100;
            case "tinyimagenet" -> format == DatasetFormat.TINY_IMAGENET;
            case "fashion-mnist", "mnist" -> format == DatasetFormat.IDX;
            case "synthetic" -> format == DatasetFormat.CIFAR10 || format == DatasetFormat.TINY_IMAGENET;
            default -> false;
        };
    }

    private static String expectedLayout(String expected) {
        return switch (expected) {
            case "cifar10" -> "the " + DatasetFormat.CIFAR10.description() + " layout";
            case "cifar100" -> "the " + DatasetFormat.CIFAR100.description() + " layout";
            case "tinyimagenet" -> "the " + DatasetFormat.TINY_IMAGENET.description() + " layout";
            case "fashion-mnist", "mnist" -> "the " + DatasetFormat.IDX.description() + " layout";
            default -> "the " + DatasetFormat.CIFAR10.description() + " or " + DatasetFormat.TINY_IMAGENET.description()
                    + " layout";
        };
    }
}
