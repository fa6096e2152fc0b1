package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.ImageSplit;
import org.reconvene.data.Normalization;
import org.reconvene.model.NativeArrays;
import org.reconvene.provenance.Seeds;

/**
 * The labelled samples that data-dependent scorers (SNIP, GraSP) look at: {@code samplesPerClass}
 * training images of every class (10 by default, so {@code 10 * numClasses} in all), drawn with
 * the trial's seed and normalized like training data, without augmentation.
 *
 * <p>Drawing the same number per class, as GraSP's reference does, keeps small pruning sets from
 * missing classes. Instances are immutable; {@link #chunks} hands out NDArrays in a caller's
 * manager, at most {@code chunkSize} samples each.
 */
public final class PruningData {

    private final float[] x;
    private final int[] y;
    private final int[] indices;
    private final int channels;
    private final int size;
    private final int numClasses;

    private PruningData(float[] x, int[] y, int[] indices, int channels, int size, int numClasses) {
        this.x = x;
        this.y = y;
        this.indices = indices;
        this.channels = channels;
        this.size = size;
        this.numClasses = numClasses;
    }

    /** Draws {@code samplesPerClass} images per class from {@code data}'s training split. */
    public static PruningData sample(ImageDataset data, int samplesPerClass, long seed) {
        if (samplesPerClass < 1) {
            throw new IllegalArgumentException("samplesPerClass must be at least 1, got " + samplesPerClass);
        }
        ImageSplit train = data.train();
        int k = data.numClasses();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < train.size(); i++) {
            byClass.get(train.label(i)).add(i);
        }
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, Seeds.PRUNING_DATA));
        int[] picked = new int[k * samplesPerClass];
        int n = 0;
        for (int c = 0; c < k; c++) {
            List<Integer> pool = byClass.get(c);
            if (pool.size() < samplesPerClass) {
                throw new IllegalArgumentException(
                        "class " + c + " of " + data.sourceUri() + " has " + pool.size()
                                + " training images; pruning needs " + samplesPerClass);
            }
            // Partial Fisher-Yates: the first samplesPerClass of a seeded shuffle.
            Integer[] arr = pool.toArray(new Integer[0]);
            for (int i = 0; i < samplesPerClass; i++) {
                int j = i + rng.nextInt(arr.length - i);
                Integer t = arr[i];
                arr[i] = arr[j];
                arr[j] = t;
                picked[n++] = arr[i];
            }
        }
        Normalization norm = train.normalization();
        int per = train.channels() * train.height() * train.width();
        float[] x = new float[picked.length * per];
        int[] y = new int[picked.length];
        for (int i = 0; i < picked.length; i++) {
            System.arraycopy(norm.apply(train, picked[i]), 0, x, i * per, per);
            y[i] = train.label(picked[i]);
        }
        return new PruningData(x, y, picked, train.channels(), train.height(), k);
    }

    /**
     * A class-balanced subset of at most {@code max} samples: the first {@code max / numClasses}
     * (at least one) of every class, which are themselves a seeded random draw.
     */
    public PruningData balancedSubset(int max) {
        int perClass = Math.max(1, max / numClasses);
        int[] count = new int[numClasses];
        int per = channels * size * size;
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (count[y[i]]++ < perClass) {
                keep.add(i);
            }
        }
        float[] sx = new float[keep.size() * per];
        int[] sy = new int[keep.size()];
        int[] si = new int[keep.size()];
        for (int j = 0; j < keep.size(); j++) {
            int i = keep.get(j);
            System.arraycopy(x, i * per, sx, j * per, per);
            sy[j] = y[i];
            si[j] = indices[i];
        }
        return new PruningData(sx, sy, si, channels, size, numClasses);
    }

    /** Number of samples. */
    public int size() {
        return y.length;
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Indices of the samples in the training split, class by class. */
    public int[] indices() {
        return indices.clone();
    }

    /** Labels of the samples. */
    public int[] labels() {
        return y.clone();
    }

    /** All images as one (N, C, H, W) array in {@code m}. */
    public NDArray images(NDManager m, DataType type) {
        return NativeArrays.create(m, x, new Shape(y.length, channels, size, size), type);
    }

    /** Consecutive (images, labels) pairs of at most {@code chunkSize} samples, created in {@code m}. */
    public List<NDArray[]> chunks(NDManager m, int chunkSize, DataType type) {
        List<NDArray[]> out = new ArrayList<>();
        int per = channels * size * size;
        for (int start = 0; start < y.length; start += chunkSize) {
            int end = Math.min(y.length, start + chunkSize);
            float[] cx = Arrays.copyOfRange(x, start * per, end * per);
            NDArray images = NativeArrays.create(m, cx, new Shape(end - start, channels, size, size), type);
            NDArray labels = m.create(Arrays.copyOfRange(y, start, end));
            out.add(new NDArray[] {images, labels});
        }
        return out;
    }
}
