package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.reconvene.data.DataTestFiles.assertBadInput;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statistics of the training split and their application. */
class NormalizationTest {

    @TempDir
    Path tmp;

    @Test
    void aSplitComputesItsStatisticsOnceAndTheyAreThoseOfFromSplit() {
        DataTestFiles.generate(tmp, 5, 60, 20, 32, 4L);
        ImageSplit train = DatasetLoader.load(tmp.toString()).train();
        Normalization cached = train.normalization();
        org.junit.jupiter.api.Assertions.assertSame(cached, train.normalization());
        Normalization fresh = Normalization.fromSplit(train);
        for (int c = 0; c < fresh.channels(); c++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(fresh.table(c), cached.table(c));
        }
    }

    @Test
    void normalisedTrainingPixelsHaveZeroMeanAndUnitStd() {
        DataTestFiles.generate(tmp, 5, 200, 20, 32, 9L);
        ImageSplit train = DatasetLoader.load(tmp.toString()).train();
        Normalization n = Normalization.fromSplit(train);
        assertEquals(3, n.channels());
        int plane = 32 * 32;
        double[] sum = new double[3];
        double[] sq = new double[3];
        for (int i = 0; i < train.size(); i++) {
            float[] x = n.apply(train, i);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p++) {
                    double v = x[c * plane + p];
                    sum[c] += v;
                    sq[c] += v * v;
                }
            }
        }
        double count = (double) train.size() * plane;
        for (int c = 0; c < 3; c++) {
            double mean = sum[c] / count;
            double std = Math.sqrt(sq[c] / count - mean * mean);
            assertEquals(0.0, mean, 1e-3, "mean of channel " + c);
            assertEquals(1.0, std, 1e-3, "std of channel " + c);
            assertEquals(true, n.mean(c) > 0.05 && n.mean(c) < 0.95, "raw mean on [0,1] scale: " + n.mean(c));
        }
    }

    @Test
    void statisticsMatchADirectComputation() {
        // Two 1x1x2 images: channel values 0, 255, 51, 102 -> mean 102/255, population std known.
        ImageSplit s = new ImageSplit(1, 1, 2, 2, new byte[] {0, (byte) 255, 51, 102}, new int[] {0, 1});
        Normalization n = Normalization.fromSplit(s);
        double[] v = {0, 1, 0.2, 0.4};
        double m = (0 + 1 + 0.2 + 0.4) / 4;
        double var = 0;
        for (double x : v) {
            var += (x - m) * (x - m);
        }
        double sd = Math.sqrt(var / 4);
        assertEquals(m, n.mean(0), 1e-6);
        assertEquals(sd, n.std(0), 1e-6);
        assertEquals((float) ((1 - m) / sd), n.normalize(0, 255), 1e-5);
        assertEquals((float) ((0 - m) / sd), n.normalize(0, 0), 1e-5);
    }

    @Test
    void constantChannelGetsUnitStd() {
        ImageSplit s = new ImageSplit(1, 2, 2, 1, new byte[] {7, 7, 7, 7}, new int[] {0});
        Normalization n = Normalization.fromSplit(s);
        assertEquals(1f, n.std(0));
        assertEquals(0f, n.normalize(0, 7), 1e-7);
    }

    @Test
    void validatesInput() {
        assertBadInput(() -> Normalization.fromSplit(new ImageSplit(3, 2, 2, 2, new byte[0], new int[0])), "empty");
        assertBadInput(() -> Normalization.of(new float[] {0.5f}, new float[] {0.5f, 0.5f}), "equal length");
        assertBadInput(() -> Normalization.of(new float[] {0.5f, 0.5f}, new float[] {0.5f, 0f}), "channel 1");
        Normalization n = Normalization.of(new float[] {0.5f}, new float[] {0.25f});
        assertEquals(2f, n.normalize(0, 255), 1e-2);
        assertBadInput(() -> n.apply(new ImageSplit(3, 1, 1, 1, new byte[3], new int[1]), 0), "1 channels", "3");
    }
}
