package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cheap evidence that the synthetic task is learnable but not encoded in a single pixel, using a
 * nearest-class-mean classifier instead of a network so the test needs no native library.
 */
class LearnabilityTest {

    private static final int CLASSES = 10;

    @TempDir
    static Path tmp;

    private static ImageDataset ds;
    private static double[][] means;

    @BeforeAll
    static void generateAndFit() {
        DataTestFiles.generate(tmp, CLASSES, 1500, 400, 32, 2024L);
        ds = DatasetLoader.load(tmp.toString(), "synthetic");
        ImageSplit train = ds.train();
        int per = train.imageBytes();
        means = new double[CLASSES][per];
        int[] counts = train.classCounts();
        byte[] img = new byte[per];
        for (int i = 0; i < train.size(); i++) {
            train.copyImage(i, img, 0);
            double[] m = means[train.label(i)];
            for (int j = 0; j < per; j++) {
                m[j] += img[j] & 0xFF;
            }
        }
        for (int c = 0; c < CLASSES; c++) {
            for (int j = 0; j < per; j++) {
                means[c][j] /= counts[c];
            }
        }
    }

    /** Accuracy on the test split of nearest class mean over the given CHW positions. */
    private static double accuracy(int[] positions) {
        ImageSplit test = ds.test();
        byte[] img = new byte[test.imageBytes()];
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            test.copyImage(i, img, 0);
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < CLASSES; c++) {
                double d = 0;
                for (int j : positions) {
                    double e = (img[j] & 0xFF) - means[c][j];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            correct += best == test.label(i) ? 1 : 0;
        }
        return correct / (double) test.size();
    }

    @Test
    void nearestClassMeanBeatsChanceClearly() {
        int[] all = new int[ds.test().imageBytes()];
        for (int j = 0; j < all.length; j++) {
            all[j] = j;
        }
        double acc = accuracy(all);
        assertTrue(acc > 2.0 / CLASSES, "nearest class mean accuracy " + acc);
    }

    @Test
    void noSinglePixelGivesTheLabelAway() {
        int plane = 32 * 32;
        double best = 0;
        for (int p = 0; p < plane; p++) {
            best = Math.max(best, accuracy(new int[] {p, plane + p, 2 * plane + p}));
        }
        // Colour leaks through pixels the shapes usually cover, but shape is needed for the rest.
        assertTrue(best < 0.6, "best single-pixel accuracy " + best);
        double corner = accuracy(new int[] {0, plane, 2 * plane});
        assertTrue(corner < 2.0 / CLASSES, "corner pixel (background) accuracy " + corner);
    }
}
