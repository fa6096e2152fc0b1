package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The MNIST-family IDX loader on generated files: layout, padding, and each kind of corruption. */
class IdxReaderTest {

    @TempDir Path tmp;

    static byte[] idx(int magic, int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(values);
        return b.toByteArray();
    }

    static void write(Path f, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            o.write(bytes);
        }
    }

    /** Images whose pixel (r, c) of image i is (i + r + c) mod 251, labels i mod 10. */
    static void dataset(Path dir, int train, int test, int side, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        for (String prefix : new String[] {"train", "t10k"}) {
            int n = prefix.equals("train") ? train : test;
            byte[] px = new byte[n * side * side];
            byte[] y = new byte[n];
            for (int i = 0; i < n; i++) {
                y[i] = (byte) (i % 10);
                for (int r = 0; r < side; r++) {
                    for (int c = 0; c < side; c++) {
                        px[i * side * side + r * side + c] = (byte) ((i + r + c) % 251);
                    }
                }
            }
            String gz = gzip ? ".gz" : "";
            write(dir.resolve(prefix + "-images-idx3-ubyte" + gz), idx(0x803, new int[] {n, side, side}, px), gzip);
            write(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), idx(0x801, new int[] {n}, y), gzip);
        }
    }

    private static void refused(Path dir, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetLoader.load(dir.toString(), "fashion-mnist"));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsPlainAndGzippedFilesPaddedTo32WithOneChannel(boolean gzip) throws IOException {
        Path dir = tmp.resolve("fashion-mnist");
        dataset(dir, 30, 20, 28, gzip);
        ImageDataset ds = DatasetLoader.load(dir.toString(), "fashion-mnist");
        assertEquals("fashion-mnist", ds.name());
        assertEquals(1, ds.channels());
        assertEquals(32, ds.imageSize());
        assertEquals(10, ds.numClasses());
        assertEquals("Ankle boot", ds.classNames().get(9));
        assertEquals(30, ds.train().size());
        assertEquals(20, ds.test().size());
        assertEquals(7, ds.train().label(17));
        // Image 5: the 28x28 image sits at rows and columns 2..29, zeros around it.
        byte[] img = ds.train().image(5);
        for (int r = 0; r < 32; r++) {
            for (int c = 0; c < 32; c++) {
                boolean inside = r >= 2 && r < 30 && c >= 2 && c < 30;
                int expected = inside ? (5 + (r - 2) + (c - 2)) % 251 : 0;
                assertEquals(expected, img[r * 32 + c] & 0xff, "pixel " + r + "," + c);
            }
        }
        // Without a name the layout loads as mnist, with digit class names.
        assertEquals("mnist", DatasetLoader.load(dir.toString()).name());
        assertEquals("3", DatasetLoader.load(dir.toString(), "mnist").classNames().get(3));
        // The parent of a fashion-mnist/ folder works too, as Debian installs it.
        assertEquals(30, DatasetLoader.load(tmp.toString(), "fashion-mnist").train().size());
    }

    @Test
    void aBadMagicNumberIsNamed() throws IOException {
        Path dir = tmp.resolve("magic");
        dataset(dir, 10, 10, 28, false);
        byte[] b = Files.readAllBytes(dir.resolve("train-labels-idx1-ubyte"));
        b[2] = 0x0d;
        Files.write(dir.resolve("train-labels-idx1-ubyte"), b);
        refused(dir, "train-labels-idx1-ubyte", "bad magic number 0x00000d01", "0x00000801");
        // Images and labels swapped: a 3-dimension file where labels belong.
        Path swap = tmp.resolve("swap");
        dataset(swap, 10, 10, 28, false);
        Files.copy(swap.resolve("t10k-images-idx3-ubyte"), swap.resolve("t10k-labels-idx1-ubyte"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        refused(swap, "t10k-labels-idx1-ubyte", "bad magic number 0x00000803");
    }

    @Test
    void countsThatDisagreeBetweenImagesAndLabelsAreNamed() throws IOException {
        Path dir = tmp.resolve("count");
        dataset(dir, 10, 10, 28, true);
        write(dir.resolve("train-labels-idx1-ubyte.gz"), idx(0x801, new int[] {9}, new byte[9]), true);
        refused(dir, "train-images-idx3-ubyte.gz holds 10 images", "train-labels-idx1-ubyte.gz holds 9 labels");
    }

    @Test
    void nonSquareOrOversizedImagesAreRefused() throws IOException {
        Path dir = tmp.resolve("dims");
        dataset(dir, 4, 4, 28, false);
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {4, 28, 27}, new byte[4 * 28 * 27]), false);
        refused(dir, "t10k-images-idx3-ubyte", "28x27");
        write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {4, 40, 40}, new byte[4 * 1600]), false);
        refused(dir, "40x40", "at most 32x32");
    }

    @Test
    void labelsOutOfRangeAreNamed() throws IOException {
        Path dir = tmp.resolve("label");
        dataset(dir, 10, 10, 28, false);
        byte[] y = new byte[10];
        y[6] = 12;
        write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {10}, y), false);
        refused(dir, "label 12 of image 6", "t10k-labels-idx1-ubyte", "[0, 10)");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncatedFilesAreNamed(boolean gzip) throws IOException {
        Path dir = tmp.resolve("trunc");
        dataset(dir, 10, 10, 28, false);
        byte[] full = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte"));
        String name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "");
        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        write(dir.resolve(name), Arrays.copyOf(full, full.length - 500), gzip);
        refused(dir, "truncated file", name);
        // A header cut short, and bytes after the last value.
        write(dir.resolve(name), Arrays.copyOf(full, 10), gzip);
        refused(dir, "truncated file", name, "header");
        write(dir.resolve(name), Arrays.copyOf(full, full.length + 3), gzip);
        refused(dir, name, "bytes after its last value");
    }

    @Test
    void aCorruptOrCutGzipStreamIsNamed() throws IOException {
        Path dir = tmp.resolve("gz");
        dataset(dir, 50, 10, 28, true);
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] b = Files.readAllBytes(f);
        byte[] cut = Arrays.copyOf(b, b.length / 2);
        Files.write(f, cut);
        refused(dir, "train-images-idx3-ubyte.gz");
        byte[] flipped = b.clone();
        for (int i = 20; i < flipped.length - 8; i += 7) {
            flipped[i] ^= 0x5a;
        }
        Files.write(f, flipped);
        refused(dir, "train-images-idx3-ubyte.gz");
        Files.write(f, "not gzip at all".getBytes());
        refused(dir, "corrupt gzip stream", "train-images-idx3-ubyte.gz");
    }

    @Test
    void aMissingFileIsNamedWithBothSpellings() throws IOException {
        Path dir = tmp.resolve("missing");
        dataset(dir, 4, 4, 28, true);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetLoader.load(dir.toString(), "fashion-mnist"));
        assertTrue(e.getMessage().contains("no known dataset layout") && e.getMessage().contains("t10k-labels-idx1-ubyte"),
                e.getMessage());
    }

    @Test
    void paddingKeepsTheRawBytesOfEveryImage() throws IOException {
        Path dir = tmp.resolve("raw");
        dataset(dir, 3, 3, 28, false);
        ImageSplit s = DatasetLoader.load(dir.toString(), "mnist").test();
        byte[] raw = Arrays.copyOfRange(Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte")), 16, 16 + 28 * 28);
        byte[] back = new byte[28 * 28];
        for (int r = 0; r < 28; r++) {
            System.arraycopy(s.image(0), (r + 2) * 32 + 2, back, r * 28, 28);
        }
        assertArrayEquals(raw, back);
    }
}
