package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.reconvene.data.DataTestFiles.assertBadInput;
import static org.reconvene.data.DataTestFiles.cifar100Record;
import static org.reconvene.data.DataTestFiles.concat;
import static org.reconvene.data.DataTestFiles.generate;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout detection, the CIFAR-100 reader and the error message for each kind of bad input. */
class DatasetLoaderTest {

    @TempDir
    Path tmp;

    // ---- CIFAR-100 -------------------------------------------------------------------------

    @Test
    void readsHandWrittenCifar100FromSubfolder() throws IOException {
        Path dir = tmp.resolve("c100/cifar-100-binary");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), concat(cifar100Record(3, 99, 1), cifar100Record(19, 0, 2),
                cifar100Record(0, 42, 3)));
        Files.write(dir.resolve("test.bin"), concat(cifar100Record(5, 7, 4), cifar100Record(6, 8, 5)));

        ImageDataset ds = DatasetLoader.load(tmp.resolve("c100").toString(), "cifar100");
        assertEquals("cifar100", ds.name());
        assertEquals(100, ds.numClasses());
        assertEquals("42", ds.classNames().get(42));
        assertEquals(3, ds.train().size());
        assertEquals(2, ds.test().size());
        assertArrayEquals(new int[] {99, 0, 42}, ds.train().labels(), "fine labels, not coarse");
        assertArrayEquals(new int[] {7, 8}, ds.test().labels());
        assertArrayEquals(Arrays.copyOfRange(cifar100Record(0, 42, 3), 2, 3074), ds.train().image(2));
        assertTrue(ds.sourceUri().startsWith("file:/") && ds.sourceUri().endsWith("c100/cifar-100-binary"),
                ds.sourceUri());
    }

    @Test
    void cifar100NamesComeFromFineLabelNames() throws IOException {
        Path dir = tmp.resolve("c100n");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), cifar100Record(0, 1, 0));
        Files.write(dir.resolve("test.bin"), cifar100Record(0, 2, 0));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            names.add("fine" + i);
        }
        Files.write(dir.resolve("fine_label_names.txt"), names);
        assertEquals("fine2", DatasetLoader.load(dir.toString()).classNames().get(2));

        Files.write(dir.resolve("fine_label_names.txt"), names.subList(0, 20));
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "fine_label_names.txt", "20", "100");
    }

    @Test
    void cifar100FineLabelOutOfRange() throws IOException {
        Path dir = tmp.resolve("c100bad");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), concat(cifar100Record(0, 1, 0), cifar100Record(0, 100, 0)));
        Files.write(dir.resolve("test.bin"), cifar100Record(0, 2, 0));
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "train.bin", "record 1", "label 100", "100 classes");
    }

    @Test
    void cifar100TruncatedRecord() throws IOException {
        Path dir = tmp.resolve("c100trunc");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), cifar100Record(0, 1, 0));
        Files.write(dir.resolve("test.bin"), Arrays.copyOf(cifar100Record(0, 2, 0), 3073));
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "test.bin", "3073", "3074");
    }

    // ---- detection ---------------------------------------------------------------------------

    @Test
    void detectsEachLayoutDirectlyAndInItsSubfolder() throws IOException {
        FileSystem local = FileSystem.getLocal(new Configuration());
        Path c10 = tmp.resolve("d10/cifar-10-batches-bin");
        generate(c10, 3, 6, 3, 32, 1L);
        Path tiny = tmp.resolve("dtiny/tiny-imagenet-200");
        generate(tiny, 2, 4, 2, 64, 1L);
        Path c100 = tmp.resolve("d100");
        Files.createDirectories(c100);
        Files.write(c100.resolve("train.bin"), cifar100Record(0, 1, 0));
        Files.write(c100.resolve("test.bin"), cifar100Record(0, 1, 0));

        assertEquals(DatasetFormat.CIFAR10, DatasetFormat.detect(local, hp(c10)));
        assertEquals(DatasetFormat.CIFAR10, DatasetFormat.detect(local, hp(c10.getParent())));
        assertEquals("cifar-10-batches-bin", DatasetFormat.locate(local, hp(c10.getParent())).root().getName());
        assertEquals(DatasetFormat.TINY_IMAGENET, DatasetFormat.detect(local, hp(tiny)));
        assertEquals(DatasetFormat.TINY_IMAGENET, DatasetFormat.detect(local, hp(tiny.getParent())));
        assertEquals(DatasetFormat.CIFAR100, DatasetFormat.detect(local, hp(c100)));
        assertEquals(3, DatasetLoader.load(c10.getParent().toString()).numClasses());
    }

    @Test
    void missingDirectoryAndUnknownLayoutNameTheLocation() throws IOException {
        Path missing = tmp.resolve("nowhere");
        assertBadInput(() -> DatasetLoader.load(missing.toString()), "does not exist", "nowhere");
        Path odd = tmp.resolve("odd");
        Files.createDirectories(odd);
        Files.writeString(odd.resolve("readme.txt"), "hi");
        assertBadInput(() -> DatasetLoader.load(odd.toUri().toString()), "odd", "data_batch_1.bin",
                "train.bin + test.bin", "wnids.txt", "readme.txt");
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        assertBadInput(() -> DatasetLoader.load(empty.toString()), "empty", "an empty directory");
        assertBadInput(() -> DatasetLoader.load(odd.resolve("readme.txt").toString()), "readme.txt", "is a file");
        assertBadInput(() -> DatasetLoader.load(""), "empty");
    }

    @Test
    void expectedNameMustMatchLayout() throws IOException {
        Path dir = tmp.resolve("syn");
        generate(dir, 4, 8, 4, 32, 1L);
        assertBadInput(() -> DatasetLoader.load(dir.toString(), "cifar100"), "cifar100", "CIFAR-10 binary",
                dir.getFileName().toString());
        assertBadInput(() -> DatasetLoader.load(dir.toString(), "tinyimagenet"), "tinyimagenet");
        assertBadInput(() -> DatasetLoader.load(dir.toString(), "imagenet"), "imagenet", "cifar10", "synthetic");
        // cifar10 means the real 10-class dataset; other class counts are synthetic.
        assertBadInput(() -> DatasetLoader.load(dir.toString(), "cifar10"), "10 classes", "4", "synthetic");
        assertEquals("synthetic", DatasetLoader.load(dir.toString(), "SYNTHETIC").name());
    }

    // ---- CIFAR-10 errors ---------------------------------------------------------------------

    @Test
    void missingTestBatch() throws IOException {
        Path dir = tmp.resolve("notest");
        generate(dir, 10, 20, 10, 32, 1L);
        Files.delete(dir.resolve("test_batch.bin"));
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "missing file", "notest/test_batch.bin");
    }

    @Test
    void truncatedDataBatch() throws IOException {
        Path dir = tmp.resolve("trunc");
        generate(dir, 10, 20, 10, 32, 1L);
        Path f = dir.resolve("data_batch_2.bin");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 100));
        long len = b.length - 100;
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "data_batch_2.bin", "length " + len, "3073");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path dir = tmp.resolve("badlabel");
        generate(dir, 10, 20, 10, 32, 1L);
        Path f = dir.resolve("data_batch_1.bin");
        byte[] b = Files.readAllBytes(f);
        b[3 * 3073] = 10;
        Files.write(f, b);
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "data_batch_1.bin", "record 3", "label 10",
                "10 classes");
    }

    @Test
    void emptyTrainSplit() throws IOException {
        Path dir = tmp.resolve("emptytrain");
        generate(dir, 2, 2, 2, 32, 1L);
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i + ".bin"), new byte[0]);
        }
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "empty file", "data_batch_1.bin", "0 bytes");
    }

    /** One empty batch among full ones was once read as a smaller split (320 of 400 images). */
    @Test
    void oneZeroLengthBatchIsRefusedNamingIt() throws IOException {
        Path dir = tmp.resolve("emptybatch");
        generate(dir, 10, 400, 10, 32, 1L);
        Files.write(dir.resolve("data_batch_4.bin"), new byte[0]);
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "empty file", "data_batch_4.bin", "0 bytes");
    }

    @Test
    void missingMetaMeansTenNumberedClasses() throws IOException {
        Path dir = tmp.resolve("nometa");
        generate(dir, 10, 20, 10, 32, 1L);
        Files.delete(dir.resolve("batches.meta.txt"));
        ImageDataset ds = DatasetLoader.load(dir.toString(), "cifar10");
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), ds.classNames());
    }

    // ---- Tiny ImageNet errors ----------------------------------------------------------------

    @Test
    void corruptJpeg() throws IOException {
        Path dir = tmp.resolve("corrupt");
        generate(dir, 2, 4, 2, 64, 1L);
        Files.writeString(dir.resolve("val/images/val_1.JPEG"), "this is not a JPEG");
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "val/images/val_1.JPEG", "unreadable");
    }

    @Test
    void truncatedJpeg() throws IOException {
        Path dir = tmp.resolve("truncjpeg");
        generate(dir, 2, 4, 2, 64, 1L);
        Path f = dir.resolve("train/s0000001/images/s0000001_0.JPEG");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "s0000001_0.JPEG", "corrupt");
    }

    @Test
    void wrongImageSize() throws IOException {
        Path dir = tmp.resolve("wrongsize");
        generate(dir, 2, 4, 2, 64, 1L);
        BufferedImage small = new BufferedImage(32, 48, BufferedImage.TYPE_3BYTE_BGR);
        ImageIO.write(small, "jpeg", dir.resolve("train/s0000000/images/s0000000_1.JPEG").toFile());
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "s0000000_1.JPEG", "32x48", "64x64");
    }

    @Test
    void unknownWnidInValAnnotations() throws IOException {
        Path dir = tmp.resolve("wnid");
        generate(dir, 2, 4, 3, 64, 1L);
        Path ann = dir.resolve("val/val_annotations.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(ann));
        lines.set(2, "val_2.JPEG\tn99999999\t0\t0\t63\t63");
        Files.write(ann, lines);
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "val_annotations.txt", "line 3", "n99999999");
    }

    @Test
    void missingTrainClassDirectoryAndValImage() throws IOException {
        Path dir = tmp.resolve("missing64");
        generate(dir, 2, 4, 2, 64, 1L);
        Files.delete(dir.resolve("val/images/val_0.JPEG"));
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "missing file", "val_0.JPEG");
        Files.writeString(dir.resolve("wnids.txt"), "s0000000\ns0000001\nn0000042\n");
        assertBadInput(() -> DatasetLoader.load(dir.toString()), "missing directory", "train/n0000042/images");
    }

    @Test
    void greyAndPngImagesAreAccepted() throws IOException {
        Path dir = tmp.resolve("grey");
        generate(dir, 2, 4, 2, 64, 1L);
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(5, 7, 0, 200);
        Path images = dir.resolve("train/s0000000/images");
        ImageIO.write(grey, "png", images.resolve("zz_grey.png").toFile());
        Files.writeString(images.resolve("notes.txt"), "not an image, skipped");
        ImageDataset ds = DatasetLoader.load(dir.toString());
        assertEquals(5, ds.train().size());
        // Sorted by name, the PNG is the last image of class 0 (index 2).
        byte[] img = ds.train().image(2);
        assertEquals(0, ds.train().label(2));
        int p = 7 * 64 + 5;
        for (int c = 0; c < 3; c++) {
            assertEquals(200, img[c * 64 * 64 + p] & 0xFF, "grey value kept unconverted in channel " + c);
        }
    }

    @Test
    void unsupportedSchemeIsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetLoader.load("nosuchfs://bucket/data"));
        assertTrue(e.getMessage().contains("nosuchfs://bucket/data"), e.getMessage());
    }

    private static org.apache.hadoop.fs.Path hp(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }
}
