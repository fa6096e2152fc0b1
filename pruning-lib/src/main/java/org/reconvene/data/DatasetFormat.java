package org.reconvene.data;

import java.util.List;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The on-disk dataset layouts the loader understands, and detection of which one a directory holds.
 *
 * <p>Detection looks only at marker files so it is cheap on object stores: the directory itself is
 * tried first, then the subfolder each official archive unpacks into, so that users may point at
 * either the unpacked folder or its parent.
 */
public enum DatasetFormat {

    /** CIFAR-10 binary version: {@code data_batch_*.bin}, {@code test_batch.bin}, {@code batches.meta.txt}. */
    CIFAR10("CIFAR-10 binary", "cifar10", "cifar-10-batches-bin", "data_batch_1.bin"),

    /** CIFAR-100 binary version: {@code train.bin}, {@code test.bin}, {@code fine_label_names.txt}. */
    CIFAR100("CIFAR-100 binary", "cifar100", "cifar-100-binary", "train.bin", "test.bin"),

    /** Tiny ImageNet folder layout: {@code wnids.txt}, {@code train/<wnid>/images/}, {@code val/}. */
    TINY_IMAGENET("Tiny ImageNet", "tinyimagenet", "tiny-imagenet-200", "wnids.txt"),

    /**
     * The IDX files of the MNIST family (MNIST, Fashion-MNIST), each plain or gzipped. Both
     * datasets share the layout, so without a name it loads as {@code mnist}; Debian's
     * {@code dataset-fashion-mnist} installs it in {@code /usr/share/datasets/fashion-mnist}.
     */
    IDX("MNIST-family IDX", "mnist", "fashion-mnist", "train-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]",
            "t10k-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]"),

    /**
     * A user's images in class folders: {@code train/<class>/*.jpg|png} and {@code val/<class>/}
     * or {@code test/<class>/}; tried last, since Tiny ImageNet also has a {@code train/} folder.
     */
    CLASS_FOLDERS("class folders", "images", null, "train/<class>/", "val/<class>/ or test/<class>/");

    /** A detected layout and the directory that actually holds its files. */
    public record Located(DatasetFormat format, Path root) {
    }

    private final String description;
    private final String datasetName;
    private final String subfolder;
    private final List<String> markers;

    DatasetFormat(String description, String datasetName, String subfolder, String... markers) {
        this.description = description;
        this.datasetName = datasetName;
        this.subfolder = subfolder;
        this.markers = List.of(markers);
    }

    /** Human-readable name of the layout, for messages. */
    public String description() {
        return description;
    }

    /** The dataset name a layout maps to when the caller does not say which dataset it expects. */
    public String datasetName() {
        return datasetName;
    }

    /** The folder the official archive unpacks into, accepted as a child of the given directory (null: none). */
    public String subfolder() {
        return subfolder;
    }

    /** Files whose presence identifies the layout. */
    public List<String> markers() {
        return markers;
    }

    /**
     * Which layout the directory holds.
     *
     * @throws IllegalArgumentException when the directory is missing or holds no known layout; the
     *                                  message names the directory and lists what was expected
     */
    public static DatasetFormat detect(FileSystem fs, Path dir) {
        return locate(fs, dir).format();
    }

    /**
     * Which layout the directory holds and where its files are (the directory itself or the
     * layout's subfolder).
     *
     * @throws IllegalArgumentException when the directory is missing or holds no known layout
     */
    public static Located locate(FileSystem fs, Path dir) {
        if (HadoopFiles.statusOrNull(fs, dir) == null) {
            throw new IllegalArgumentException("dataset directory does not exist: " + dir);
        }
        if (!HadoopFiles.isDirectory(fs, dir)) {
            throw new IllegalArgumentException("dataset location is a file, expected a directory: " + dir);
        }
        for (DatasetFormat f : values()) {
            if (f.matches(fs, dir)) {
                return new Located(f, dir);
            }
        }
        for (DatasetFormat f : values()) {
            if (f.subfolder == null) {
                continue;
            }
            Path sub = new Path(dir, f.subfolder);
            if (HadoopFiles.isDirectory(fs, sub) && f.matches(fs, sub)) {
                return new Located(f, sub);
            }
        }
        List<String> found = HadoopFiles.childNames(fs, dir);
        String shown = found.size() > 12 ? found.subList(0, 12) + " and " + (found.size() - 12) + " more"
                : found.toString();
        throw new IllegalArgumentException("no known dataset layout at " + dir + ": expected "
                + expectation() + "; found " + (found.isEmpty() ? "an empty directory" : shown));
    }

    private boolean matches(FileSystem fs, Path dir) {
        if (this == IDX) {
            return IdxReader.present(fs, dir);
        }
        if (this == CLASS_FOLDERS) {
            return ClassFolderReader.present(fs, dir);
        }
        for (String m : markers) {
            if (!HadoopFiles.isFile(fs, new Path(dir, m))) {
                return false;
            }
        }
        return true;
    }

    /** What each layout needs, for the unknown-layout message. */
    static String expectation() {
        StringBuilder sb = new StringBuilder();
        for (DatasetFormat f : values()) {
            if (sb.length() > 0) {
                sb.append(", or ");
            }
            sb.append(String.join(" + ", f.markers)).append(" (").append(f.description)
                    .append(f.subfolder == null ? ")" : ", also inside a " + f.subfolder + "/ subfolder)");
        }
        return sb.toString();
    }
}
