package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.reconvene.data.DataTestFiles.assertBadInput;
import static org.reconvene.data.DataTestFiles.generate;
import static org.reconvene.data.DataTestFiles.snapshot;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generator output read back through the real loader, in both layouts. */
class SyntheticRoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void cifarLayoutRoundTripsThroughFileUriAndPlainPath() throws IOException {
        Path dir = tmp.resolve("syn32");
        SyntheticImageGenerator.Result r = generate(dir, 10, 500, 100, 32, 11L);
        assertEquals(DatasetFormat.CIFAR10, r.format());
        assertEquals(500, r.trainSize());
        assertEquals(100, r.testSize());
        for (int f = 1; f <= 5; f++) {
            assertEquals(100L * 3073, Files.size(dir.resolve("data_batch_" + f + ".bin")), "data_batch_" + f);
        }
        assertEquals(100L * 3073, Files.size(dir.resolve("test_batch.bin")));
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".crc")), "no checksum files");

        ImageDataset viaUri = DatasetLoader.load(dir.toUri().toString());
        ImageDataset viaPath = DatasetLoader.load(dir.toString(), "synthetic");
        ImageDataset viaConf = DatasetLoader.load(dir.toString(), new Configuration());
        assertEquals("synthetic", viaUri.name(), "generated data loads as synthetic, whatever its layout");
        assertEquals("synthetic", viaPath.name());
        for (ImageDataset ds : List.of(viaUri, viaPath, viaConf)) {
            assertEquals(10, ds.numClasses());
            assertEquals(32, ds.imageSize());
            assertEquals(3, ds.channels());
            assertEquals(500, ds.train().size());
            assertEquals(100, ds.test().size());
            assertEquals(SyntheticImageGenerator.classNames(10), ds.classNames());
            assertEquals("shape-circle-0", ds.classNames().get(0));
            int[] trainCounts = ds.train().classCounts();
            int[] testCounts = ds.test().classCounts();
            for (int c = 0; c < 10; c++) {
                assertEquals(50, trainCounts[c], "train count of class " + c);
                assertEquals(10, testCounts[c], "test count of class " + c);
            }
        }
        assertTrue(viaUri.sourceUri().startsWith("file:"), viaUri.sourceUri());

        // The loader must return exactly the bytes on disk: record 0 of data_batch_1.bin.
        byte[] file = Files.readAllBytes(dir.resolve("data_batch_1.bin"));
        assertEquals(file[0] & 0xFF, viaPath.train().label(0));
        assertArrayEquals(Arrays.copyOfRange(file, 1, 3073), viaPath.train().image(0));
        byte[] test = Files.readAllBytes(dir.resolve("test_batch.bin"));
        int last = 99;
        assertArrayEquals(Arrays.copyOfRange(test, last * 3073 + 1, (last + 1) * 3073), viaUri.test().image(last));
        // Train files are concatenated in order: image 100 is record 0 of data_batch_2.bin.
        byte[] second = Files.readAllBytes(dir.resolve("data_batch_2.bin"));
        assertArrayEquals(Arrays.copyOfRange(second, 1, 3073), viaUri.train().image(100));
    }

    @Test
    void sameSeedIsByteIdenticalAndOtherSeedDiffers() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        generate(a, 7, 60, 20, 32, 5L);
        generate(b, 7, 60, 20, 32, 5L);
        generate(c, 7, 60, 20, 32, 6L);
        Map<String, byte[]> sa = snapshot(a);
        Map<String, byte[]> sb = snapshot(b);
        Map<String, byte[]> sc = snapshot(c);
        assertEquals(sa.keySet(), sb.keySet());
        for (String name : sa.keySet()) {
            assertArrayEquals(sa.get(name), sb.get(name), name);
        }
        assertArrayEquals(sa.get("batches.meta.txt"), sc.get("batches.meta.txt"));
        assertFalse(Arrays.equals(sa.get("data_batch_1.bin"), sc.get("data_batch_1.bin")));
        assertFalse(Arrays.equals(sa.get("test_batch.bin"), sc.get("test_batch.bin")));
    }

    @Test
    void unevenTrainSizeIsSpreadOverFiveFiles() throws IOException {
        Path dir = tmp.resolve("uneven");
        generate(dir, 3, 13, 4, 32, 1L);
        long[] expected = {3, 3, 3, 2, 2};
        for (int f = 0; f < 5; f++) {
            assertEquals(expected[f] * 3073, Files.size(dir.resolve("data_batch_" + (f + 1) + ".bin")));
        }
        ImageDataset ds = DatasetLoader.load(dir.toString());
        assertEquals(13, ds.train().size());
        assertEquals(3, ds.numClasses());
    }

    @Test
    void tinyImageNetLayoutRoundTrips() throws IOException {
        Path dir = tmp.resolve("syn64");
        SyntheticImageGenerator.Result r = generate(dir, 4, 40, 8, 64, 3L);
        assertEquals(DatasetFormat.TINY_IMAGENET, r.format());
        assertEquals(List.of("s0000000", "s0000001", "s0000002", "s0000003"),
                Files.readAllLines(dir.resolve("wnids.txt")));
        assertEquals("s0000001\tshape-square-1", Files.readAllLines(dir.resolve("words.txt")).get(1));
        Path images = dir.resolve("train/s0000002/images");
        assertEquals(10, Files.list(images).count());
        assertTrue(Files.exists(images.resolve("s0000002_0.JPEG")));
        List<String> boxes = Files.readAllLines(dir.resolve("train/s0000002/s0000002_boxes.txt"));
        assertEquals(10, boxes.size());
        assertEquals("s0000002_0.JPEG\t0\t0\t63\t63", boxes.get(0));
        List<String> ann = Files.readAllLines(dir.resolve("val/val_annotations.txt"));
        assertEquals(8, ann.size());
        assertTrue(ann.get(0).matches("val_0\\.JPEG\ts000000[0-3]\t0\t0\t63\t63"), ann.get(0));

        ImageDataset ds = DatasetLoader.load(dir.toUri().toString(), "synthetic");
        ImageDataset plain = DatasetLoader.load(dir.toString());
        assertEquals("synthetic", ds.name());
        assertEquals("synthetic", plain.name(), "generated data loads as synthetic, whatever its layout");
        assertEquals(64, ds.imageSize());
        assertEquals(4, ds.numClasses());
        assertEquals(SyntheticImageGenerator.classNames(4), ds.classNames());
        assertEquals(40, ds.train().size());
        assertEquals(8, ds.test().size());
        assertArrayEquals(new int[] {10, 10, 10, 10}, ds.train().classCounts());
        assertArrayEquals(new int[] {2, 2, 2, 2}, ds.test().classCounts());

        // Train images are grouped by class in wnids order and by file name within a class.
        String firstName;
        try (var files = Files.list(dir.resolve("train/s0000000/images"))) {
            firstName = files.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
        assertEquals(0, ds.train().label(0));
        assertArrayEquals(decodeIndependently(dir.resolve("train/s0000000/images/" + firstName)), ds.train().image(0));
        String wnid0 = ann.get(0).split("\t")[1];
        assertEquals(Integer.parseInt(wnid0.substring(1)), ds.test().label(0));
        assertArrayEquals(decodeIndependently(dir.resolve("val/images/val_0.JPEG")), ds.test().image(0));
    }

    @Test
    void tinyImageNetLayoutIsDeterministic() {
        Path a = tmp.resolve("a64");
        Path b = tmp.resolve("b64");
        generate(a, 3, 9, 3, 64, 8L);
        generate(b, 3, 9, 3, 64, 8L);
        Map<String, byte[]> sa = snapshot(a);
        Map<String, byte[]> sb = snapshot(b);
        assertEquals(sa.keySet(), sb.keySet());
        for (String name : sa.keySet()) {
            assertArrayEquals(sa.get(name), sb.get(name), name);
        }
    }

    @Test
    void generatorRejectsBadOptionsNamingThem() {
        String out = tmp.resolve("x").toString();
        assertBadInput(() -> SyntheticImageGenerator.builder().build(), "setOutput");
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optImageSize(48).build(),
                "optImageSize", "48");
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optClasses(1).build(), "optClasses", "1");
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optClasses(257).build(),
                "optClasses", "256", "257");
        SyntheticImageGenerator.builder().setOutput(out).optClasses(1000).optTrainSize(1000).optImageSize(64).build();
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optClasses(1001).optImageSize(64).build(),
                "optClasses", "1000");
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optTrainSize(0).build(), "optTrainSize");
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optTestSize(-3).build(),
                "optTestSize", "-3");
        assertBadInput(() -> SyntheticImageGenerator.builder().setOutput(out).optClasses(20).optTrainSize(10).build(),
                "optTrainSize", "20");
    }

    @Test
    void refusesNonEmptyOutputUnlessOverwriting() throws IOException {
        Path dir = tmp.resolve("reuse");
        generate(dir, 4, 40, 8, 64, 1L);
        Files.writeString(dir.resolve("notes.md"), "keep me");
        assertBadInput(() -> generate(dir, 4, 20, 8, 64, 1L), dir.getFileName().toString(), "optOverwrite");
        SyntheticImageGenerator.builder().setOutput(dir.toString()).optClasses(4).optTrainSize(20).optTestSize(8)
                .optImageSize(64).optSeed(1L).optOverwrite(true).build().generate();
        // Stale images of the larger first run must be gone, unrelated files must stay.
        ImageDataset ds = DatasetLoader.load(dir.toString());
        assertEquals(20, ds.train().size());
        assertEquals("keep me", Files.readString(dir.resolve("notes.md")));
    }

    /** Decodes with plain ImageIO on the local file, independent of the loader's code path. */
    private static byte[] decodeIndependently(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int p = y * w + x;
                out[p] = (byte) (rgb >> 16);
                out[w * h + p] = (byte) (rgb >> 8);
                out[2 * w * h + p] = (byte) rgb;
            }
        }
        return out;
    }
}
