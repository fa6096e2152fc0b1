package org.reconvene.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Every dataset the platform names, declared once: its name (in sweep files, on the command line
 * and in result rows), its classes, its image channels, the side of its images as loaded (the
 * 28x28 MNIST family is zero-padded to 32x32 by its reader; a user's class folders are resized to
 * any side), and the on-disk layouts that hold it.
 *
 * <p>Architectures derive the datasets they run on from the sides ({@link #fitting}); the loader
 * checks a layout against {@link #formats()}; a named dataset without files ({@code prune
 * --dataset}) takes its classes and channels from here.
 */
public enum Dataset {
    CIFAR10("cifar10", 10, 3, Set.of(32), Set.of(DatasetFormat.CIFAR10)),
    CIFAR100("cifar100", 100, 3, Set.of(32), Set.of(DatasetFormat.CIFAR100)),
    FASHION_MNIST("fashion-mnist", 10, 1, Set.of(32), Set.of(DatasetFormat.IDX)),
    MNIST("mnist", 10, 1, Set.of(32), Set.of(DatasetFormat.IDX)),
    TINYIMAGENET("tinyimagenet", 200, 3, Set.of(64), Set.of(DatasetFormat.TINY_IMAGENET)),
    /** Generated data: the generator's default classes; 32x32 in the CIFAR-10 layout, 64x64 in Tiny ImageNet's. */
    SYNTHETIC("synthetic", SyntheticImageGenerator.DEFAULT_CLASSES, 3, Set.of(32, 64),
            Set.of(DatasetFormat.CIFAR10, DatasetFormat.TINY_IMAGENET)),
    /**
     * A user's own images in class folders: classes from the folders, colour, resized to whatever
     * side the model takes.
     */
    IMAGES("images", 0, 3, null, Set.of(DatasetFormat.CLASS_FOLDERS));

    /** The classes of a dataset whose files say how many (its folders). */
    private static final int FROM_FILES = 0;

    private final String id;
    private final int classes;
    private final int channels;
    private final Set<Integer> sides;
    private final Set<DatasetFormat> formats;

    Dataset(String id, int classes, int channels, Set<Integer> sides, Set<DatasetFormat> formats) {
        this.id = id;
        this.classes = classes;
        this.channels = channels;
        this.sides = sides;
        this.formats = formats;
    }

    /** The name, e.g. {@code fashion-mnist}. */
    public String id() {
        return id;
    }

    /**
     * Classes of the labels (for synthetic data: the generator's default; the files say).
     *
     * @throws IllegalArgumentException for {@code images}, whose classes are its folders: only its
     *     files can say
     */
    public int classes() {
        if (classes == FROM_FILES) {
            throw new IllegalArgumentException("dataset '" + id + "' takes its classes from its folders: give its "
                    + "directory (--data)");
        }
        return classes;
    }

    /** Image channels: 1 for the grayscale MNIST family, 3 for the others. */
    public int channels() {
        return channels;
    }

    /** The layouts that may hold it. */
    public Set<DatasetFormat> formats() {
        return formats;
    }

    /** Whether its images, as loaded, are {@code side} pixels square. */
    public boolean hasSide(int side) {
        return sides == null || sides.contains(side);
    }

    /** The names of every dataset, in declaration order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Dataset::id).toList();
    }

    /** The datasets whose images, as loaded, are {@code side} pixels square. */
    public static List<String> fitting(int side) {
        return Arrays.stream(values()).filter(d -> d.hasSide(side)).map(Dataset::id).toList();
    }

    /** The dataset called {@code name} (case and surrounding blanks ignored), if any. */
    public static Optional<Dataset> find(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.id.equals(n)).findFirst();
    }

    /**
     * The dataset called {@code name}.
     *
     * @throws IllegalArgumentException naming the value and the known names
     */
    public static Dataset of(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown dataset '" + name + "'; known: " + String.join(", ", names())));
    }
}
