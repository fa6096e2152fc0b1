package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.reconvene.data.DataTestFiles.assertBadInput;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Construction checks and accessors of the in-memory split and dataset. */
class ImageSplitTest {

    private static ImageSplit threeImages() {
        byte[] px = new byte[3 * 2 * 2 * 2];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        return new ImageSplit(2, 2, 2, 3, px, new int[] {2, 0, 1});
    }

    @Test
    void accessorsAndCopies() {
        ImageSplit s = threeImages();
        assertEquals(3, s.size());
        assertEquals(8, s.imageBytes());
        assertEquals(2, s.label(0));
        assertArrayEquals(new byte[] {8, 9, 10, 11, 12, 13, 14, 15}, s.image(1));
        assertArrayEquals(new int[] {1, 1, 1}, s.classCounts());
        byte[] dst = new byte[10];
        s.copyImage(2, dst, 1);
        assertEquals(16, dst[1]);
        assertEquals(23, dst[8]);
        s.image(0)[0] = 99;
        assertEquals(0, s.image(0)[0], "image() returns a copy");
        ByteBuffer buf = s.pixelBuffer();
        assertEquals(24, buf.remaining());
        assertThrows(ReadOnlyBufferException.class, () -> buf.put(0, (byte) 1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.label(3));
    }

    @Test
    void subsetCopiesInGivenOrderAndAllowsRepeats() {
        ImageSplit s = threeImages();
        ImageSplit sub = s.subset(new int[] {2, 2, 0});
        assertEquals(3, sub.size());
        assertArrayEquals(new int[] {1, 1, 2}, sub.labels());
        assertArrayEquals(s.image(2), sub.image(1));
        assertArrayEquals(s.image(0), sub.image(2));
        assertBadInput(() -> s.subset(new int[] {0, 5}), "index 5", "position 1");
        assertEquals(0, s.subset(new int[0]).size());
    }

    @Test
    void constructorNamesTheOffendingValue() {
        assertBadInput(() -> new ImageSplit(3, 2, 2, 2, new byte[11], new int[1]), "length 11", "12");
        assertBadInput(() -> new ImageSplit(1, 1, 1, 2, new byte[2], new int[] {0, 2}), "label 2", "image 1");
        assertBadInput(() -> new ImageSplit(1, 1, 1, 2, new byte[1], new int[] {-1}), "label -1");
        assertBadInput(() -> new ImageSplit(0, 1, 1, 2, new byte[0], new int[0]), "channels", "0");
        assertBadInput(() -> new ImageSplit(1, 1, 1, 0, new byte[0], new int[0]), "numClasses");
    }

    @Test
    void datasetChecksSplitsAgree() {
        ImageSplit a = new ImageSplit(1, 2, 2, 2, new byte[4], new int[] {0});
        ImageSplit b = new ImageSplit(1, 2, 2, 3, new byte[4], new int[] {0});
        assertBadInput(() -> new ImageDataset("x", List.of("a", "b"), a, b, "u"), "2 classes", "3");
        assertBadInput(() -> new ImageDataset("x", List.of("a"), a, a, "u"), "1 class names", "2 classes");
        ImageDataset ds = new ImageDataset("x", List.of("a", "b"), a, a, "u");
        assertEquals(2, ds.imageSize());
        assertEquals(1, ds.channels());
        assertEquals(2, ds.numClasses());
    }
}
