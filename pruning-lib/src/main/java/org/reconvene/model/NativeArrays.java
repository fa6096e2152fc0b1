package org.reconvene.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Creates NDArrays whose memory PyTorch owns.
 *
 * <p>DJL's {@code NDManager.create(float[])} hands PyTorch a Java direct buffer without copying,
 * kept alive only by the Java NDArray object. Anything in PyTorch that outlives that object (an
 * alias from {@code toType}, a tensor saved by autograd) then reads memory the garbage collector
 * may already have freed, which showed up as random NaNs. Long-lived tensors are therefore
 * cloned into PyTorch's own allocator.
 *
 * <p>The same holds for DJL's {@code div(Number)} and {@code mul(Number)}: they wrap the number in
 * such a tensor and close it at once, while autograd keeps it for the backward pass. Inside a
 * graph, divide and multiply by {@link #scalar} instead (GraSP's {@code logits / T} produced NaN
 * Hessian products until it did).
 */
public final class NativeArrays {

    private NativeArrays() {}

    /** A PyTorch-owned tensor of {@code type} holding {@code values}. */
    public static NDArray create(NDManager m, float[] values, Shape shape, DataType type) {
        try (NDArray staged = m.create(values, shape)) {
            return type == DataType.FLOAT32 ? staged.duplicate() : staged.toType(type, false);
        }
    }

    /** A PyTorch-owned tensor of {@code type} holding {@code values}. */
    public static NDArray create(NDManager m, double[] values, Shape shape, DataType type) {
        try (NDArray staged = m.create(values, shape)) {
            return type == DataType.FLOAT64 ? staged.duplicate() : staged.toType(type, false);
        }
    }

    /** A 0-dimensional PyTorch-owned tensor of {@code like}'s type in {@code like}'s manager. */
    public static NDArray scalar(NDArray like, double value) {
        NDManager m = like.getManager();
        try (NDArray staged = m.create(new double[] {value}, new Shape())) {
            return staged.toType(like.getDataType(), true).duplicate();
        }
    }

    /**
     * Copies a contiguous float32 tensor into {@code dest} through a view of its memory, without
     * the intermediate byte array of {@code toFloatArray()} (the hot path of iterative scorers).
     */
    public static void copyTo(NDArray a, float[] dest) {
        if (a.getDataType() != DataType.FLOAT32) {
            try (NDArray f = a.toType(DataType.FLOAT32, false)) {
                copyTo(f, dest);
            }
            return;
        }
        if (a.size() != dest.length) {
            throw new IllegalArgumentException("tensor has " + a.size() + " values, destination " + dest.length);
        }
        a.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().get(dest);
    }
}
