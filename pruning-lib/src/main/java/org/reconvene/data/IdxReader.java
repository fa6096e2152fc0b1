package org.reconvene.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the IDX format of the MNIST family (MNIST, Fashion-MNIST): {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte},
 * each plain or gzipped ({@code .gz}).
 *
 * <p>An IDX file is a big-endian header, magic {@code 0x0000 08 NN} (unsigned bytes, NN
 * dimensions) and one int per dimension, then the values. Images are grayscale, one channel.
 * They are zero-padded to {@link #SIZE}x{@link #SIZE} (28x28 gains 2 pixels on each side), so that
 * the CIFAR-style models take them unchanged and their MACs and latencies keep their meaning. A
 * bad magic number, a dimension or count that disagrees between images and labels, a label out of
 * range, a file that ends early or has bytes after its last value, and a corrupt gzip stream are
 * each an {@link IllegalArgumentException} naming the file and what is wrong.
 */
final class IdxReader {

    /** Side of the padded images. */
    static final int SIZE = 32;
    static final int CLASSES = 10;
    private static final int IMAGES_MAGIC = 0x0803;
    private static final int LABELS_MAGIC = 0x0801;
    /** Largest image count accepted, so that a corrupt header cannot ask for gigabytes. */
    private static final int MAX_IMAGES = 10_000_000;
    /**
     * The most a gzip (DEFLATE) stream can expand: 1032 times its compressed size. A header that
     * declares more values than its file could hold at that ratio is refused before anything is
     * allocated; a plain file must hold exactly what its header declares.
     */
    static final long GZIP_MAX_RATIO = 1032;

    static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private IdxReader() {}

    /** The file of {@code base} in {@code root}: plain if present, else gzipped, else an error naming both. */
    static Path file(FileSystem fs, Path root, String base) {
        Path plain = new Path(root, base);
        if (HadoopFiles.isFile(fs, plain)) {
            return plain;
        }
        Path gz = new Path(root, base + ".gz");
        if (HadoopFiles.isFile(fs, gz)) {
            return gz;
        }
        throw new IllegalArgumentException("missing file " + plain + " (or " + gz.getName() + ")");
    }

    /** Whether {@code root} holds the four files, plain or gzipped. */
    static boolean present(FileSystem fs, Path root) {
        for (String base : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            if (!HadoopFiles.isFile(fs, new Path(root, base)) && !HadoopFiles.isFile(fs, new Path(root, base + ".gz"))) {
                return false;
            }
        }
        return true;
    }

    static ImageDataset read(FileSystem fs, Path root, String name) {
        Stored train = split(fs, root, "train");
        Stored test = split(fs, root, "t10k");
        List<String> names = name.equals("fashion-mnist") ? FASHION_CLASSES
                : IntStream.range(0, CLASSES).mapToObj(Integer::toString).toList();
        if (train.side != test.side) {
            throw new IllegalArgumentException(root + ": training images are " + train.side + "x" + train.side
                    + " but test images are " + test.side + "x" + test.side);
        }
        return new ImageDataset(name, names, train.split, test.split, root.toString(), train.side);
    }

    /** A split padded to {@link #SIZE}, and the side its images were stored at. */
    private record Stored(ImageSplit split, int side) {}

    private static Stored split(FileSystem fs, Path root, String prefix) {
        Path imagesFile = file(fs, root, prefix + "-images-idx3-ubyte");
        Path labelsFile = file(fs, root, prefix + "-labels-idx1-ubyte");
        byte[] labels;
        try (DataInputStream in = open(fs, labelsFile)) {
            int n = header(in, labelsFile, LABELS_MAGIC, 1)[0];
            requireCapacity(fs, labelsFile, 8, n, "labels");
            labels = values(in, labelsFile, n, "labels");
        } catch (IOException e) {
            throw failure(labelsFile, e);
        }
        int[] dims;
        byte[] padded;
        try (DataInputStream in = open(fs, imagesFile)) {
            dims = header(in, imagesFile, IMAGES_MAGIC, 3);
            int n = dims[0];
            int rows = dims[1];
            int cols = dims[2];
            if (rows != cols || rows > SIZE) {
                throw new IllegalArgumentException(imagesFile + ": images are " + rows + "x" + cols
                        + "; this reader takes square images of at most " + SIZE + "x" + SIZE);
            }
            if (n != labels.length) {
                throw new IllegalArgumentException(imagesFile + " holds " + n + " images but " + labelsFile + " holds "
                        + labels.length + " labels");
            }
            requireCapacity(fs, imagesFile, 16, (long) n * rows * cols, "pixel values (" + n + " images of " + rows
                    + "x" + cols + ")");
            padded = pad(in, imagesFile, n, rows);
        } catch (IOException e) {
            throw failure(imagesFile, e);
        }
        int[] y = new int[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i] & 0xff;
            if (y[i] >= CLASSES) {
                throw new IllegalArgumentException("label " + y[i] + " of image " + i + " in " + labelsFile
                        + " is outside [0, " + CLASSES + ")");
            }
        }
        return new Stored(new ImageSplit(1, SIZE, SIZE, CLASSES, padded, y), dims[1]);
    }

    /**
     * Fails, naming the file, unless it can hold the {@code values} bytes its header declares after
     * {@code header} bytes: exactly for a plain file, within {@link #GZIP_MAX_RATIO} for a gzipped one.
     */
    private static void requireCapacity(FileSystem fs, Path p, int header, long values, String what)
            throws IOException {
        long declared = header + values;
        long length = fs.getFileStatus(p).getLen();
        if (p.getName().endsWith(".gz")) {
            if (declared > GZIP_MAX_RATIO * length) {
                throw new IllegalArgumentException(p + ": its header declares " + values + " " + what + ", more than "
                        + "a gzip file of " + length + " bytes can hold (DEFLATE expands at most " + GZIP_MAX_RATIO
                        + " times)");
            }
        } else if (declared > length) {
            throw new IllegalArgumentException("truncated file " + p + ": its header declares " + values + " " + what
                    + " but the file holds " + (length - header) + " bytes after its header");
        }
    }

    private static DataInputStream open(FileSystem fs, Path p) throws IOException {
        InputStream raw = new BufferedInputStream(HadoopFiles.open(fs, p), 1 << 16);
        if (p.getName().endsWith(".gz")) {
            try {
                raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw e;
            }
        }
        return new DataInputStream(raw);
    }

    /** Reads and checks the magic number; returns the {@code dims} dimension sizes. */
    private static int[] header(DataInputStream in, Path p, int magic, int dims) throws IOException {
        int m = in.readInt();
        if (m != magic) {
            throw new IllegalArgumentException(String.format("%s: bad magic number 0x%08x, expected 0x%08x (IDX unsigned "
                    + "bytes, %d dimension%s)", p, m, magic, dims, dims == 1 ? "" : "s"));
        }
        int[] out = new int[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = in.readInt();
            if (out[i] < 1 || (i == 0 && out[i] > MAX_IMAGES)) {
                throw new IllegalArgumentException(p + ": dimension " + i + " is " + out[i]);
            }
        }
        return out;
    }

    private static byte[] values(DataInputStream in, Path p, int n, String what) throws IOException {
        byte[] b = new byte[n];
        readFully(in, b, 0, n, p, what);
        requireEnd(in, p);
        return b;
    }

    /** Reads {@code n} images of {@code side}x{@code side} into the centre of {@link #SIZE}x{@link #SIZE} zeros. */
    private static byte[] pad(DataInputStream in, Path p, int n, int side) throws IOException {
        int before = (SIZE - side) / 2;
        int bytes;
        try {
            bytes = Math.multiplyExact(n, SIZE * SIZE);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(p + ": " + n + " images of " + SIZE + "x" + SIZE + " do not fit in one "
                    + "array (at most " + Integer.MAX_VALUE / (SIZE * SIZE) + " images)");
        }
        byte[] out = new byte[bytes];
        byte[] row = new byte[side * side];
        for (int i = 0; i < n; i++) {
            readFully(in, row, 0, row.length, p, "images (image " + i + " of " + n + ")");
            int base = i * SIZE * SIZE + before * SIZE + before;
            for (int r = 0; r < side; r++) {
                System.arraycopy(row, r * side, out, base + r * SIZE, side);
            }
        }
        requireEnd(in, p);
        return out;
    }

    private static void readFully(DataInputStream in, byte[] b, int off, int len, Path p, String what)
            throws IOException {
        try {
            in.readFully(b, off, len);
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated file " + p + ": it ends before all its " + what);
        }
    }

    private static void requireEnd(DataInputStream in, Path p) throws IOException {
        if (in.read() != -1) {
            throw new IllegalArgumentException(p + " has bytes after its last value: not an IDX file of the size its "
                    + "header gives");
        }
    }

    private static RuntimeException failure(Path p, IOException e) {
        if (e instanceof EOFException) {
            return new IllegalArgumentException("truncated file " + p + ": it ends inside its header");
        }
        if (e instanceof ZipException || String.valueOf(e.getMessage()).contains("gzip")
                || String.valueOf(e.getMessage()).contains("GZIP")) {
            return new IllegalArgumentException("corrupt gzip stream in " + p + ": " + e.getMessage());
        }
        return HadoopFiles.io("cannot read", p, e);
    }
}
