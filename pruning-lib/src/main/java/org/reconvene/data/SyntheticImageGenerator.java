package org.reconvene.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.reconvene.provenance.Seeds;

/**
 * Writes a learnable synthetic image classification dataset in a real on-disk layout, so demos and
 * tests exercise the same loader as CIFAR and Tiny ImageNet without downloading anything.
 *
 * <p>Each class is a shape (circle, square, triangle, cross, ring, bars, diagonal stripes, checker,
 * diamond, diagonal cross; cycled with a different saturation and rotation once classes outnumber
 * shapes) in a class-dependent hue (40% of samples get a random hue instead, so colour alone is not
 * enough) near a class-dependent position, with random size, rotation, lighting and position
 * jitter, on a random textured background with Gaussian pixel noise; see {@link ShapeRenderer}.
 * Size 32 writes the CIFAR-10 binary layout, size 64 the Tiny ImageNet layout (JPEG, quality 0.95).
 *
 * <p>{@link Builder#optDifficulty} (default 0, the original task) makes the classes harder to
 * separate: weaker colour, position and shape cues, distractor shapes of other classes, stronger
 * noise, and a fraction {@code 0.1 * difficulty} of the training labels replaced by a random other
 * class (the image still shows its true class; test labels are never changed), so that accuracy
 * after a short training run lands well below 100% and pruning methods can be told apart.
 *
 * <p>Lifecycle: configure with {@link #builder()}, then call {@link #generate()}, which refuses a
 * non-empty output directory unless {@code optOverwrite(true)} is set. Output is a pure function of
 * the options: every image is drawn from its own random stream derived from (seed, split, index),
 * so generation runs in parallel and the same seed gives byte-identical files. Labels are
 * balanced: round-robin over the classes, then shuffled with the seed.
 *
 * <p>Files are written through Hadoop's {@link FileSystem} for every scheme except the local one,
 * where plain {@code java.nio} is used: Hadoop without its native library forks a {@code chmod}
 * process for every file it creates locally.
 */
public final class SyntheticImageGenerator {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticImageGenerator.class);
    private static final float JPEG_QUALITY = 0.95f;
    /** Images rendered (and for JPEG, encoded) in parallel before being written out in order. */
    private static final int CHUNK = 2048;
    private static final int TRAIN_FILES = 5;
    private static final long TRAIN_STREAM = 1;
    private static final long TEST_STREAM = 2;
    private static final long LABEL_NOISE_STREAM = 3;
    /** Share of training labels flipped at difficulty 1. */
    private static final double LABEL_NOISE = 0.1;

    /** What {@link #generate()} wrote. */
    public record Result(String uri, DatasetFormat format, int classes, int imageSize, int trainSize, int testSize,
                         long seed, double difficulty, int flippedTrainLabels) {
    }

    private final String output;
    private final int classes;
    private final int trainSize;
    private final int testSize;
    private final int imageSize;
    private final long seed;
    private final Configuration conf;
    private final boolean overwrite;
    private final double difficulty;

    private SyntheticImageGenerator(Builder b) {
        this.output = b.output;
        this.classes = b.classes;
        this.trainSize = b.trainSize;
        this.testSize = b.testSize;
        this.imageSize = b.imageSize;
        this.seed = b.seed;
        this.conf = b.conf;
        this.overwrite = b.overwrite;
        this.difficulty = b.difficulty;
    }

    /** A builder with the defaults: 10 classes, 5000 train, 1000 test, 32x32, seed 0, difficulty 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** The class names the generator gives {@code classes} classes, e.g. {@code shape-circle-0}. */
    public static List<String> classNames(int classes) {
        List<String> names = new ArrayList<>(classes);
        for (int k = 0; k < classes; k++) {
            names.add(ShapeRenderer.className(k));
        }
        return names;
    }

    /**
     * Writes the dataset.
     *
     * @throws IllegalArgumentException when the output is a file, or a non-empty directory and
     *                                  {@code optOverwrite(true)} was not given
     * @throws java.io.UncheckedIOException when writing fails
     */
    public Result generate() {
        long start = System.nanoTime();
        HadoopFiles.Location loc = HadoopFiles.resolveForWrite(output, conf);
        FileSystem fs = loc.fs();
        Path root = loc.path();
        prepareOutput(fs, root);
        int[] trainClasses = balancedLabels(trainSize, TRAIN_STREAM);
        int[] trainLabels = flipLabels(trainClasses);
        int[] testLabels = balancedLabels(testSize, TEST_STREAM);
        int flipped = 0;
        for (int i = 0; i < trainSize; i++) {
            flipped += trainLabels[i] != trainClasses[i] ? 1 : 0;
        }
        DatasetFormat format;
        if (imageSize == 32) {
            writeCifar(fs, root, trainClasses, trainLabels, testLabels);
            format = DatasetFormat.CIFAR10;
        } else {
            writeTiny(fs, root, trainClasses, trainLabels, testLabels);
            format = DatasetFormat.TINY_IMAGENET;
        }
        writeText(fs, new Path(root, MARKER), String.format(java.util.Locale.ROOT,
                "generated by reconvene datagen: classes %d, train %d, test %d, size %d, seed %d, difficulty %s%n",
                classes, trainSize, testSize, imageSize, seed, difficulty));
        LOG.info("Generated synthetic {} dataset at {}: {} classes, {} train ({} labels flipped), {} test, {}x{}, "
                        + "seed {}, difficulty {} in {} ms",
                format.description(), root, classes, trainSize, flipped, testSize, imageSize, imageSize, seed,
                difficulty, (System.nanoTime() - start) / 1_000_000);
        return new Result(root.toString(), format, classes, imageSize, trainSize, testSize, seed, difficulty, flipped);
    }

    /**
     * Refuses to mix with existing content, because stale images from an earlier, larger run would
     * silently join the new dataset. With overwrite, only the names this generator writes are
     * removed, never anything else in the directory.
     */
    private void prepareOutput(FileSystem fs, Path root) {
        FileStatus st = HadoopFiles.statusOrNull(fs, root);
        if (st == null) {
            mkdirs(fs, root);
            return;
        }
        if (!st.isDirectory()) {
            throw new IllegalArgumentException("setOutput points at a file, expected a directory: " + root);
        }
        List<FileStatus> children = HadoopFiles.listVisible(fs, root);
        if (children.isEmpty()) {
            return;
        }
        if (!overwrite) {
            throw new IllegalArgumentException("output directory " + root + " is not empty (" + children.size()
                    + " entries); choose an empty directory or set optOverwrite(true)");
        }
        for (FileStatus child : children) {
            String name = child.getPath().getName();
            boolean ours = name.matches("data_batch_\\d+\\.bin") || name.equals("test_batch.bin")
                    || name.equals("batches.meta.txt") || name.equals("wnids.txt") || name.equals("words.txt")
                    || name.equals("train") || name.equals("val") || name.equals(MARKER);
            if (ours) {
                try {
                    fs.delete(child.getPath(), true);
                } catch (IOException e) {
                    throw HadoopFiles.io("cannot delete", child.getPath(), e);
                }
            }
        }
    }

    /** Round-robin labels shuffled with a stream of the seed, so every class appears equally often. */
    private int[] balancedLabels(int n, long stream) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        Seeds.shuffle(labels, new SplittableRandom(streamSeed(stream, -1)));
        return labels;
    }

    /**
     * The training labels as written: {@code round(0.1 * difficulty * n)} samples, chosen with
     * their own stream of the seed, get a uniformly random other class. Label noise caps what any
     * model can fit on the training split without touching the clean test split.
     */
    private int[] flipLabels(int[] trueClasses) {
        int n = trueClasses.length;
        int flips = (int) Math.round(LABEL_NOISE * difficulty * n);
        if (flips == 0) {
            return trueClasses;
        }
        int[] labels = trueClasses.clone();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(streamSeed(LABEL_NOISE_STREAM, -1));
        // A partial Fisher-Yates shuffle picks the first `flips` samples uniformly without repeats.
        for (int i = 0; i < flips; i++) {
            int j = i + rng.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            int other = rng.nextInt(classes - 1);
            int s = order[i];
            labels[s] = other >= trueClasses[s] ? other + 1 : other;
        }
        return labels;
    }

    /** Seed of one image's stream (or, with index -1, of a split's label shuffle). */
    private long streamSeed(long stream, long index) {
        return Seeds.mix64(seed + Seeds.mix64(stream * Seeds.GOLDEN + Seeds.mix64(index + 0x632BE59BD9B4E019L)));
    }

    /** Renders images {@code from..from+count-1} of their true classes {@code shown}. */
    private void renderChunk(int[] shown, long stream, int from, int count, byte[] dst) {
        int per = 3 * imageSize * imageSize;
        org.reconvene.engine.ComputePool.forEach(count, j -> {
            int i = from + j;
            ShapeRenderer.render(shown[i], classes, imageSize, difficulty, new SplittableRandom(streamSeed(stream, i)),
                    dst, j * per);
        });
    }

    private void writeCifar(FileSystem fs, Path root, int[] trainClasses, int[] trainLabels, int[] testLabels) {
        StringBuilder meta = new StringBuilder();
        for (String n : classNames(classes)) {
            meta.append(n).append('\n');
        }
        writeText(fs, new Path(root, "batches.meta.txt"), meta.toString());
        int from = 0;
        for (int f = 0; f < TRAIN_FILES; f++) {
            int count = trainSize / TRAIN_FILES + (f < trainSize % TRAIN_FILES ? 1 : 0);
            writeCifarFile(fs, new Path(root, "data_batch_" + (f + 1) + ".bin"), trainClasses, trainLabels,
                    TRAIN_STREAM, from, count);
            from += count;
        }
        writeCifarFile(fs, new Path(root, "test_batch.bin"), testLabels, testLabels, TEST_STREAM, 0, testSize);
    }

    /** Writes records {@code from..from+count-1}: images of {@code shown}, labelled {@code labels}. */
    private void writeCifarFile(FileSystem fs, Path file, int[] shown, int[] labels, long stream, int from,
                                int count) {
        int per = CifarBinaryReader.IMAGE_BYTES;
        byte[] buf = new byte[Math.min(CHUNK, Math.max(count, 1)) * per];
        try (OutputStream out = new BufferedOutputStream(create(fs, file), 1 << 16)) {
            for (int done = 0; done < count; done += CHUNK) {
                int n = Math.min(CHUNK, count - done);
                renderChunk(shown, stream, from + done, n, buf);
                for (int j = 0; j < n; j++) {
                    out.write(labels[from + done + j]);
                    out.write(buf, j * per, per);
                }
            }
        } catch (IOException e) {
            throw HadoopFiles.io("cannot write", file, e);
        }
    }

    private void writeTiny(FileSystem fs, Path root, int[] trainClasses, int[] trainLabels, int[] testLabels) {
        List<String> names = classNames(classes);
        String[] wnids = new String[classes];
        StringBuilder ids = new StringBuilder();
        StringBuilder words = new StringBuilder();
        for (int k = 0; k < classes; k++) {
            wnids[k] = String.format(Locale.ROOT, "s%07d", k);
            ids.append(wnids[k]).append('\n');
            words.append(wnids[k]).append('\t').append(names.get(k)).append('\n');
        }
        writeText(fs, new Path(root, "wnids.txt"), ids.toString());
        writeText(fs, new Path(root, "words.txt"), words.toString());

        int last = imageSize - 1;
        // Within-class numbering follows sample order, so file names are stable for a given seed.
        int[] perClass = new int[classes];
        String[] trainNames = new String[trainSize];
        List<StringBuilder> boxes = new ArrayList<>(classes);
        for (int k = 0; k < classes; k++) {
            boxes.add(new StringBuilder());
        }
        for (int i = 0; i < trainSize; i++) {
            int k = trainLabels[i];
            trainNames[i] = wnids[k] + "_" + perClass[k]++ + ".JPEG";
            boxes.get(k).append(trainNames[i]).append("\t0\t0\t").append(last).append('\t').append(last).append('\n');
        }
        for (int k = 0; k < classes; k++) {
            mkdirs(fs, new Path(root, "train/" + wnids[k] + "/images"));
            writeText(fs, new Path(root, "train/" + wnids[k] + "/" + wnids[k] + "_boxes.txt"), boxes.get(k).toString());
        }
        // The folder is the written label, which is what the loader reads as the label.
        writeJpegs(fs, trainClasses, TRAIN_STREAM, i -> new Path(root,
                "train/" + wnids[trainLabels[i]] + "/images/" + trainNames[i]));

        mkdirs(fs, new Path(root, "val/images"));
        StringBuilder ann = new StringBuilder();
        for (int i = 0; i < testSize; i++) {
            ann.append("val_").append(i).append(".JPEG\t").append(wnids[testLabels[i]]).append("\t0\t0\t").append(last)
                    .append('\t').append(last).append('\n');
        }
        writeText(fs, new Path(root, "val/val_annotations.txt"), ann.toString());
        writeJpegs(fs, testLabels, TEST_STREAM, i -> new Path(root, "val/images/val_" + i + ".JPEG"));
    }

    /** Writes one JPEG per image of {@code shown} (true classes) to {@code pathOf(i)}. */
    private void writeJpegs(FileSystem fs, int[] shown, long stream, IntFunction<Path> pathOf) {
        int per = 3 * imageSize * imageSize;
        byte[] buf = new byte[Math.min(CHUNK, Math.max(shown.length, 1)) * per];
        byte[][] encoded = new byte[CHUNK][];
        for (int done = 0; done < shown.length; done += CHUNK) {
            int n = Math.min(CHUNK, shown.length - done);
            renderChunk(shown, stream, done, n, buf);
            org.reconvene.engine.ComputePool.forEach(n, j -> encoded[j] = ImageCodec.encodeJpeg(buf, j * per, imageSize, JPEG_QUALITY));
            for (int j = 0; j < n; j++) {
                Path p = pathOf.apply(done + j);
                try (OutputStream out = create(fs, p)) {
                    out.write(encoded[j]);
                } catch (IOException e) {
                    throw HadoopFiles.io("cannot write", p, e);
                }
            }
        }
    }

    /**
     * Opens a file for writing, creating parent directories. Local output bypasses Hadoop: without
     * Hadoop's native library, every local {@code create} forks a {@code chmod} process, which makes
     * writing the tens of thousands of JPEGs of the 64x64 layout take minutes instead of seconds.
     */
    private static OutputStream create(FileSystem fs, Path p) throws IOException {
        if (fs instanceof RawLocalFileSystem raw) {
            java.nio.file.Path file = raw.pathToFile(p).toPath();
            Files.createDirectories(file.getParent());
            return Files.newOutputStream(file);
        }
        return fs.create(p, true);
    }

    private static void writeText(FileSystem fs, Path p, String text) {
        try (OutputStream out = create(fs, p)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HadoopFiles.io("cannot write", p, e);
        }
    }

    private static void mkdirs(FileSystem fs, Path p) {
        boolean created;
        try {
            if (fs instanceof RawLocalFileSystem raw) {
                // Same reason as in create(): Hadoop would fork a chmod per directory.
                Files.createDirectories(raw.pathToFile(p).toPath());
                return;
            }
            created = fs.mkdirs(p);
        } catch (IOException e) {
            throw HadoopFiles.io("cannot create directory", p, e);
        }
        if (!created) {
            throw HadoopFiles.io("cannot create directory", p, new IOException("mkdirs returned false"));
        }
    }

    /**
     * Options of a {@link SyntheticImageGenerator}; {@link #setOutput} is required, the rest have
     * defaults (10 classes, 5000 train, 1000 test, 32x32, seed 0, difficulty 0).
     */
    /**
     * The file that says a directory holds generated data, so that loading it without a dataset
     * name calls it {@code synthetic} rather than the layout's dataset ({@code cifar10}).
     */
    public static final String MARKER = "reconvene-synthetic.txt";

    /** The default class count; {@code datagen} and {@link Dataset#SYNTHETIC} read it. */
    public static final int DEFAULT_CLASSES = 10;
    /** The default training images. */
    public static final int DEFAULT_TRAIN = 5000;
    /** The default test images. */
    public static final int DEFAULT_TEST = 1000;
    /** The default image side. */
    public static final int DEFAULT_SIZE = 32;

    public static final class Builder {
        private String output;
        private int classes = DEFAULT_CLASSES;
        private int trainSize = DEFAULT_TRAIN;
        private int testSize = DEFAULT_TEST;
        private int imageSize = DEFAULT_SIZE;
        private long seed;
        private Configuration conf;
        private boolean overwrite;
        private double difficulty;

        private Builder() {
        }

        /** Directory URI to write into (any Hadoop file system, or a plain local path); required. */
        public Builder setOutput(String uri) {
            this.output = uri;
            return this;
        }

        /** Number of classes: 2..256 for size 32 (one label byte), 2..1000 for size 64. */
        public Builder optClasses(int classes) {
            this.classes = classes;
            return this;
        }

        /** Number of training images; at least the number of classes. */
        public Builder optTrainSize(int trainSize) {
            this.trainSize = trainSize;
            return this;
        }

        /** Number of test images; positive. */
        public Builder optTestSize(int testSize) {
            this.testSize = testSize;
            return this;
        }

        /** 32 (CIFAR-10 binary layout) or 64 (Tiny ImageNet layout). */
        public Builder optImageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Hadoop configuration for the output file system; {@code null} for the defaults. */
        public Builder optConfiguration(Configuration conf) {
            this.conf = conf;
            return this;
        }

        /**
         * Whether a non-empty output directory may be reused; the files and folders this generator
         * writes are then deleted first and nothing else is touched (default false).
         */
        public Builder optOverwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /**
         * How hard the classes are to tell apart, in [0, 1] (default 0, the original task). Higher
         * values weaken the colour, position and shape cues, add distractor shapes of other classes
         * and stronger noise, and flip {@code 0.1 * difficulty} of the training labels to a random
         * other class; test labels stay clean.
         */
        public Builder optDifficulty(double difficulty) {
            this.difficulty = difficulty;
            return this;
        }

        /**
         * Validates the options.
         *
         * @throws IllegalArgumentException naming the first invalid option
         */
        public SyntheticImageGenerator build() {
            if (output == null || output.isBlank()) {
                throw new IllegalArgumentException("setOutput is required");
            }
            if (imageSize != 32 && imageSize != 64) {
                throw new IllegalArgumentException("optImageSize must be 32 or 64, got " + imageSize);
            }
            int maxClasses = imageSize == 32 ? 256 : 1000;
            if (classes < 2 || classes > maxClasses) {
                throw new IllegalArgumentException("optClasses must be in [2, " + maxClasses + "] for image size "
                        + imageSize + ", got " + classes);
            }
            if (trainSize <= 0) {
                throw new IllegalArgumentException("optTrainSize must be positive, got " + trainSize);
            }
            if (trainSize < classes) {
                throw new IllegalArgumentException("optTrainSize must be at least optClasses (" + classes
                        + ") so every class has a training image, got " + trainSize);
            }
            if (testSize <= 0) {
                throw new IllegalArgumentException("optTestSize must be positive, got " + testSize);
            }
            // The negated form also rejects NaN.
            if (!(difficulty >= 0 && difficulty <= 1)) {
                throw new IllegalArgumentException("optDifficulty: difficulty must be in [0, 1], got " + difficulty);
            }
            long maxImages = (Integer.MAX_VALUE - 16L) / (3L * imageSize * imageSize);
            if (trainSize > maxImages || testSize > maxImages) {
                throw new IllegalArgumentException("optTrainSize and optTestSize must be at most " + maxImages
                        + " for image size " + imageSize + " so the loader can hold a split, got " + trainSize
                        + " and " + testSize);
            }
            return new SyntheticImageGenerator(this);
        }
    }
}
