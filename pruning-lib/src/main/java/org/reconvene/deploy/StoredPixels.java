package org.reconvene.deploy;

import java.util.SplittableRandom;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.ImageSplit;
import org.reconvene.provenance.Seeds;

/**
 * Images of a dataset as an exported graph takes them: float pixels in [0, 1], NCHW, at the side
 * the dataset stores them (the zero padding a reader added is cut off again; the graph pads).
 */
public final class StoredPixels {

    private StoredPixels() {}

    /** Images {@code indices} of {@code split} as one NCHW batch. */
    public static float[] batch(ImageDataset ds, ImageSplit split, int[] indices) {
        int c = split.channels();
        int side = ds.imageSize();
        int stored = ds.storedSide();
        int pad = (side - stored) / 2;
        float[] out = new float[indices.length * c * stored * stored];
        int o = 0;
        for (int index : indices) {
            byte[] img = split.image(index);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < stored; y++) {
                    int row = ch * side * side + (y + pad) * side + pad;
                    for (int x = 0; x < stored; x++) {
                        out[o++] = (img[row + x] & 0xff) / 255f;
                    }
                }
            }
        }
        return out;
    }

    /** Images {@code from} to {@code from + count - 1} of {@code split}. */
    public static float[] range(ImageDataset ds, ImageSplit split, int from, int count) {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = from + i;
        }
        return batch(ds, split, idx);
    }

    /**
     * The calibration images of a trial: {@code batches} batches of {@code batchSize} training
     * images drawn without replacement with {@code seed}'s calibration stream (fewer if the
     * training split is smaller).
     */
    public static int[][] calibrationIndices(ImageDataset ds, int batches, int batchSize, long seed) {
        int n = ds.train().size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Seeds.shuffle(order, new SplittableRandom(Seeds.derive(seed, Seeds.CALIBRATION)));
        int total = Math.min(n, batches * batchSize);
        int count = (total + batchSize - 1) / batchSize;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) {
            int from = b * batchSize;
            out[b] = java.util.Arrays.copyOfRange(order, from, Math.min(total, from + batchSize));
        }
        return out;
    }
}
