package org.reconvene.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a user's own images in class folders: {@code train/<class>/*.{jpg,jpeg,png}} and
 * {@code val/<class>/...} (or {@code test/<class>/...}) as the test split.
 *
 * <p>Labels are the class folders' names in sorted order (the same in both splits, which must
 * have the same classes); every image is decoded as RGB and resized to the model's input side
 * (bilinear, the whole image, aspect ratio not kept), so any photo size loads. File names are
 * collected and checked first, so an empty class or a mismatched split fails before any decoding;
 * images are then decoded in parallel, each into its own slot.
 */
final class ClassFolderReader {

    static final int CHANNELS = 3;
    /** The test split's folder names, in the order they are looked for. */
    static final List<String> TEST_FOLDERS = List.of("val", "test");

    private ClassFolderReader() {}

    /** Whether {@code dir} holds the layout: a {@code train/} folder of class folders and a test split folder. */
    static boolean present(FileSystem fs, Path dir) {
        if (!HadoopFiles.isDirectory(fs, new Path(dir, "train"))) {
            return false;
        }
        for (String t : TEST_FOLDERS) {
            if (HadoopFiles.isDirectory(fs, new Path(dir, t))) {
                return true;
            }
        }
        return false;
    }

    static ImageDataset read(FileSystem fs, Path root, String name, int side) {
        if (side < 8 || side > ImageCodec.MAX_SIDE) {
            throw new IllegalArgumentException("class-folder images resize to the model's input side; got " + side);
        }
        Path trainDir = new Path(root, "train");
        Path testDir = null;
        for (String t : TEST_FOLDERS) {
            if (HadoopFiles.isDirectory(fs, new Path(root, t))) {
                testDir = new Path(root, t);
                break;
            }
        }
        if (testDir == null) {
            throw new IllegalArgumentException("no test split at " + root + ": expected a val/ or test/ folder of class "
                    + "folders beside train/");
        }
        List<String> classes = classFolders(fs, trainDir);
        List<String> testClasses = classFolders(fs, testDir);
        if (!classes.equals(testClasses)) {
            List<String> onlyTrain = new ArrayList<>(classes);
            onlyTrain.removeAll(testClasses);
            List<String> onlyTest = new ArrayList<>(testClasses);
            onlyTest.removeAll(classes);
            throw new IllegalArgumentException("the class folders of " + trainDir + " and " + testDir + " differ: only in "
                    + "train " + onlyTrain + ", only in " + testDir.getName() + " " + onlyTest);
        }
        if (classes.size() < 2) {
            throw new IllegalArgumentException(trainDir + " has " + classes.size() + " class folder(s); at least 2 are "
                    + "needed");
        }
        ImageSplit train = decodeAll(fs, files(fs, trainDir, classes), classes.size(), side);
        ImageSplit test = decodeAll(fs, files(fs, testDir, classes), classes.size(), side);
        return new ImageDataset(name, classes, train, test, root.toString());
    }

    /** The class folders under {@code dir}, sorted by name (the label order). */
    private static List<String> classFolders(FileSystem fs, Path dir) {
        List<String> names = new ArrayList<>();
        for (FileStatus st : HadoopFiles.listVisible(fs, dir)) {
            if (st.isDirectory()) {
                names.add(st.getPath().getName());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(dir + " has no class folders: expected " + dir + "/<class>/<image>.jpg");
        }
        return names; // listVisible sorts by name
    }

    /** Every image file of every class, labelled by the class's index; an empty class is named. */
    private static List<Labelled> files(FileSystem fs, Path split, List<String> classes) {
        List<Labelled> out = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path dir = new Path(split, classes.get(c));
            int before = out.size();
            for (FileStatus st : HadoopFiles.listVisible(fs, dir)) {
                if (st.isFile() && ImageCodec.isImageFileName(st.getPath().getName())) {
                    out.add(new Labelled(st.getPath(), c));
                }
            }
            if (out.size() == before) {
                throw new IllegalArgumentException("class " + classes.get(c) + " has no images in " + dir
                        + " (.jpg, .jpeg or .png)");
            }
        }
        return out;
    }

    private record Labelled(Path file, int label) {}

    private static ImageSplit decodeAll(FileSystem fs, List<Labelled> files, int numClasses, int side) {
        int n = files.size();
        long bytes = (long) CHANNELS * side * side;
        if (n * bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(n + " images of " + side + "x" + side + " are more than one byte array "
                    + "can hold");
        }
        byte[] pixels = new byte[(int) (n * bytes)];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = files.get(i).label();
        }
        org.reconvene.engine.ComputePool.forEach(n, i -> {
            Path p = files.get(i).file();
            BufferedImage img = ImageCodec.decode(HadoopFiles.readAll(fs, p), p.toString(), (src, w, h) -> { });
            ImageCodec.toChw(resized(img, side), pixels, (int) (i * bytes));
        });
        return new ImageSplit(CHANNELS, side, side, numClasses, pixels, labels);
    }

    /** {@code img} as {@code side x side} RGB, bilinear. */
    static BufferedImage resized(BufferedImage img, int side) {
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(img, 0, 0, side, side, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
