package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.reconvene.data.DataTestFiles.assertBadInput;
import static org.reconvene.data.DataTestFiles.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's difficulty option: difficulty 0 is the original dataset byte for byte, higher
 * difficulty is measurably harder yet still learnable, label noise touches only the training
 * split, and bad values are refused.
 */
class SyntheticDifficultyTest {

    @TempDir
    Path tmp;

    private static SyntheticImageGenerator.Result generate(Path dir, int classes, int train, int test, int size,
                                                           long seed, Double difficulty) {
        SyntheticImageGenerator.Builder b = SyntheticImageGenerator.builder()
                .setOutput(dir.toString())
                .optClasses(classes)
                .optTrainSize(train)
                .optTestSize(test)
                .optImageSize(size)
                .optSeed(seed);
        if (difficulty != null) {
            b.optDifficulty(difficulty);
        }
        return b.build().generate();
    }

    private static void assertSameFiles(Map<String, byte[]> a, Map<String, byte[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name), b.get(name), name);
        }
    }

    @Test
    void difficultyZeroIsTheDefaultAndTheOriginalBytes() throws IOException, NoSuchAlgorithmException {
        Path plain = tmp.resolve("plain");
        Path zero = tmp.resolve("zero");
        SyntheticImageGenerator.Result r = generate(plain, 10, 20, 10, 32, 0L, null);
        generate(zero, 10, 20, 10, 32, 0L, 0.0);
        assertSameFiles(snapshot(plain), snapshot(zero));
        assertEquals(0.0, r.difficulty());
        assertEquals(0, r.flippedTrainLabels());

        // Pinned before the difficulty option existed: the default dataset must never drift, or
        // results measured on earlier synthetic datasets would stop being comparable. The CIFAR
        // layout uses only StrictMath and integer arithmetic, so these bytes hold on any JVM.
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String f : new String[] {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin"}) {
            sha.update(Files.readAllBytes(plain.resolve(f)));
        }
        assertEquals("3a80182572f90db3bb2fd17c947785f2d4ca59d228cb89ae5100b01d7779907d",
                HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void sameSeedAndDifficultyAreByteIdenticalInBothLayouts() {
        for (int size : new int[] {32, 64}) {
            Path a = tmp.resolve("a" + size);
            Path b = tmp.resolve("b" + size);
            Path c = tmp.resolve("c" + size);
            generate(a, 6, 30, 12, size, 4L, 0.7);
            generate(b, 6, 30, 12, size, 4L, 0.7);
            generate(c, 6, 30, 12, size, 4L, 0.6);
            Map<String, byte[]> sa = snapshot(a);
            assertSameFiles(sa, snapshot(b));
            String test = size == 32 ? "test_batch.bin" : "val/images/val_0.JPEG";
            assertFalse(java.util.Arrays.equals(sa.get(test), snapshot(c).get(test)), "difficulty changes " + test);
        }
    }

    @Test
    void labelNoiseFlipsExactlyItsShareOfTrainingLabelsAndNoTestLabel() {
        Path clean = tmp.resolve("clean");
        Path noisy = tmp.resolve("noisy");
        generate(clean, 10, 1000, 200, 32, 8L, 0.0);
        SyntheticImageGenerator.Result r = generate(noisy, 10, 1000, 200, 32, 8L, 0.5);
        assertEquals(50, r.flippedTrainLabels()); // 0.1 * 0.5 * 1000
        ImageDataset c = DatasetLoader.load(clean.toString());
        ImageDataset n = DatasetLoader.load(noisy.toString());
        // Labels are drawn before, and independently of, the images and the flips, so the clean
        // dataset shows which labels were changed.
        int changed = 0;
        for (int i = 0; i < 1000; i++) {
            changed += c.train().label(i) != n.train().label(i) ? 1 : 0;
        }
        assertEquals(50, changed);
        assertArrayEquals(c.test().labelArray(), n.test().labelArray());
        for (int count : n.test().classCounts()) {
            assertEquals(20, count);
        }
    }

    private static final int CELLS = 4;
    private static final int BINS = 8;

    /**
     * A histogram of oriented gradients: for every pixel the strongest of the three channels'
     * gradients votes its magnitude into one of {@value #BINS} unsigned orientation bins of its
     * cell in a {@value #CELLS} x {@value #CELLS} grid; the vector is then scaled to unit length.
     * It describes shape and rough position while ignoring colour and overall contrast.
     */
    private static double[] orientationHistogram(byte[] img, int size) {
        int plane = size * size;
        double[] h = new double[CELLS * CELLS * BINS];
        for (int y = 1; y < size - 1; y++) {
            for (int x = 1; x < size - 1; x++) {
                double gx = 0;
                double gy = 0;
                double best = -1;
                for (int c = 0; c < 3; c++) {
                    int p = c * plane + y * size + x;
                    double dx = (img[p + 1] & 0xFF) - (img[p - 1] & 0xFF);
                    double dy = (img[p + size] & 0xFF) - (img[p - size] & 0xFF);
                    double m = dx * dx + dy * dy;
                    if (m > best) {
                        best = m;
                        gx = dx;
                        gy = dy;
                    }
                }
                double angle = Math.atan2(gy, gx);
                if (angle < 0) {
                    angle += Math.PI;
                }
                int bin = Math.min(BINS - 1, (int) (angle / Math.PI * BINS));
                int cell = (y * CELLS / size) * CELLS + x * CELLS / size;
                h[cell * BINS + bin] += Math.sqrt(best);
            }
        }
        double norm = 1e-9;
        for (double v : h) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < h.length; i++) {
            h[i] /= norm;
        }
        return h;
    }

    /**
     * Test accuracy of a nearest-class-mean classifier on orientation histograms: a cheap,
     * library-free stand-in for "how well can shapes be told apart". Raw-pixel class means would
     * not do: once most samples take a random hue and position, they blur to the same grey blob
     * at every difficulty above about 0.5, although the shapes stay visible to a CNN.
     */
    private static double shapeProxyAccuracy(ImageDataset ds) {
        ImageSplit train = ds.train();
        int classes = ds.numClasses();
        int size = ds.imageSize();
        byte[] img = new byte[train.imageBytes()];
        double[][] means = new double[classes][CELLS * CELLS * BINS];
        int[] counts = train.classCounts();
        for (int i = 0; i < train.size(); i++) {
            train.copyImage(i, img, 0);
            double[] f = orientationHistogram(img, size);
            double[] m = means[train.label(i)];
            for (int j = 0; j < f.length; j++) {
                m[j] += f[j] / counts[train.label(i)];
            }
        }
        ImageSplit test = ds.test();
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            test.copyImage(i, img, 0);
            double[] f = orientationHistogram(img, size);
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int k = 0; k < classes; k++) {
                double d = 0;
                for (int j = 0; j < f.length; j++) {
                    double e = f[j] - means[k][j];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            correct += best == test.label(i) ? 1 : 0;
        }
        return correct / (double) test.size();
    }

    @Test
    void higherDifficultyIsHarderButStillLearnable() {
        double[] levels = {0.0, 0.5, 0.8, 1.0};
        double[] acc = new double[levels.length];
        for (int i = 0; i < levels.length; i++) {
            Path dir = tmp.resolve("proxy" + i);
            generate(dir, 10, 1500, 400, 32, 2024L, levels[i]);
            acc[i] = shapeProxyAccuracy(DatasetLoader.load(dir.toString()));
        }
        System.out.println("PROXY " + java.util.Arrays.toString(acc));
        assertTrue(acc[2] < acc[0], "difficulty 0.8 (" + acc[2] + ") must be harder than 0 (" + acc[0] + ")");
        assertTrue(acc[2] > 0.2, "difficulty 0.8 must stay well above chance (0.1): " + acc[2]);
    }

    @Test
    void invalidDifficultyIsRefusedNamingIt() {
        String out = tmp.resolve("x").toString();
        for (double bad : new double[] {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optDifficulty(bad).build(),
                    "difficulty", String.valueOf(bad));
        }
        SyntheticImageGenerator.builder().setOutput(out).optDifficulty(1.0).build();
        assertFalse(Files.exists(Path.of(out)), "build() alone writes nothing");
    }
}
