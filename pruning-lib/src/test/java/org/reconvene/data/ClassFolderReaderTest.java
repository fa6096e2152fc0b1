package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's images in class folders: labels from the sorted folder names, every image resized to
 * the model's side, and the loader's errors by name.
 */
class ClassFolderReaderTest {

    /** A class's colour: each class is one solid colour, so resizing must keep it. */
    private static final Color[] COLOURS = {new Color(200, 30, 40), new Color(20, 180, 60), new Color(30, 40, 220)};

    /** Writes {@code n} solid images of {@code colour}, alternating PNG and JPEG, of assorted sizes. */
    private static void images(Path dir, Color colour, int n) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            int w = 20 + 17 * i;
            int h = 50 - 7 * i;
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(colour);
            g.fillRect(0, 0, w, h);
            g.dispose();
            String format = i % 2 == 0 ? "png" : "jpg";
            ImageIO.write(img, format, dir.resolve("img" + i + "." + (i == 3 ? "jpeg" : format)).toFile());
        }
    }

    /** root/train/{dog,cat,bird} and root/val/{...}: classes listed out of order on purpose. */
    private static Path folders(Path root, String test) throws IOException {
        String[] names = {"dog", "cat", "bird"};
        for (int c = 0; c < names.length; c++) {
            images(root.resolve("train").resolve(names[c]), COLOURS[c], 4);
            images(root.resolve(test).resolve(names[c]), COLOURS[c], 2);
        }
        Files.writeString(root.resolve("train").resolve("README.txt"), "not a class");
        return root;
    }

    @Test
    void labelsAreTheSortedFolderNamesAndImagesAreResizedToTheModelsSide(@TempDir Path dir) throws IOException {
        Path root = folders(dir.resolve("pets"), "val");
        for (int side : new int[] {32, 48}) {
            ImageDataset ds = DatasetLoader.load(root.toString(), side);
            assertEquals("images", ds.name());
            assertEquals(List.of("bird", "cat", "dog"), ds.classNames());
            assertEquals(side, ds.imageSize());
            assertEquals(3, ds.channels());
            assertEquals(12, ds.train().size());
            assertEquals(6, ds.test().size());
            // dog is colour 0, cat 1, bird 2: label l is the colour of names[...] as sorted
            int[] colourOfLabel = {2, 1, 0};
            for (ImageSplit split : List.of(ds.train(), ds.test())) {
                for (int i = 0; i < split.size(); i++) {
                    Color want = COLOURS[colourOfLabel[split.label(i)]];
                    byte[] px = split.image(i);
                    int plane = side * side;
                    int centre = side / 2 * side + side / 2;
                    assertArrayEquals(new float[] {want.getRed(), want.getGreen(), want.getBlue()},
                            new float[] {px[centre] & 0xff, px[plane + centre] & 0xff, px[2 * plane + centre] & 0xff},
                            6f, "image " + i + " of label " + split.label(i));
                }
            }
        }
        ImageDataset named = DatasetLoader.load(root.toString(), "images", 32);
        assertEquals("images", named.name());
        assertEquals(Dataset.of("images").channels(), named.channels());
    }

    @Test
    void aTestFolderServesAsTheTestSplit(@TempDir Path dir) throws IOException {
        ImageDataset ds = DatasetLoader.load(folders(dir, "test").toString(), 40);
        assertEquals(6, ds.test().size());
        assertEquals(40, ds.imageSize());
    }

    @Test
    void errorsNameTheClassTheFileOrTheFolders(@TempDir Path dir) throws IOException {
        Path empty = folders(dir.resolve("empty"), "val");
        Files.createDirectories(empty.resolve("val").resolve("cow"));
        Files.createDirectories(empty.resolve("train").resolve("cow"));
        String msg = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load(empty.toString(), 32))
                .getMessage();
        assertTrue(msg.contains("class cow has no images in") && msg.contains("train/cow"), msg);

        Path mismatched = folders(dir.resolve("mismatched"), "val");
        images(mismatched.resolve("train").resolve("fish"), Color.ORANGE, 1);
        msg = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load(mismatched.toString(), 32))
                .getMessage();
        assertTrue(msg.contains("differ") && msg.contains("only in train [fish]"), msg);

        Path unreadable = folders(dir.resolve("unreadable"), "val");
        Path bad = unreadable.resolve("val").resolve("cat").resolve("broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        msg = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load(unreadable.toString(), 32))
                .getMessage();
        assertTrue(msg.contains("broken.png"), msg);

        Path noTest = dir.resolve("notest");
        images(noTest.resolve("train").resolve("a"), Color.RED, 1);
        images(noTest.resolve("train").resolve("b"), Color.BLUE, 1);
        msg = assertThrows(IllegalArgumentException.class, () -> DatasetLoader.load(noTest.toString(), 32))
                .getMessage();
        assertTrue(msg.contains("class folders"), msg);

        msg = assertThrows(IllegalArgumentException.class, () -> Dataset.of("images").classes()).getMessage();
        assertTrue(msg.contains("takes its classes from its folders"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> DatasetLoader.load(folders(dir.resolve("named"), "val").toString(), "cifar10", 32)).getMessage();
        assertTrue(msg.contains("class folders layout"), msg);
    }
}
