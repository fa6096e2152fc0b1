package org.reconvene.engine;

/**
 * A direct float64 convolution in Java, with both gradients: the independent reference the kernel
 * check compares the engine's float32 kernels against. Slow and simple on purpose: it shares no
 * code, library or kernel with what it checks.
 *
 * <p>Layouts are PyTorch's: input (N, C, H, W), weight (O, C/groups, K, K), square kernel, zero
 * padding on every side, dilation 1.
 */
final class ReferenceConv {

    /** The output, the weight gradient and the input gradient for an upstream gradient. */
    record Result(double[] y, double[] dw, double[] dx) {}

    private ReferenceConv() {}

    /** Output side of a convolution. */
    static int outSide(int side, int kernel, int stride, int padding) {
        return (side + 2 * padding - kernel) / stride + 1;
    }

    /**
     * y = conv(x, w), dW = d(sum y*dy)/dw and dX = d(sum y*dy)/dx, in one pass.
     *
     * @param dy the upstream gradient, laid out as y
     */
    static Result compute(float[] x, float[] w, float[] dy, int n, int in, int out, int side, int kernel, int stride,
            int padding, int groups) {
        int os = outSide(side, kernel, stride, padding);
        int inPerGroup = in / groups;
        int outPerGroup = out / groups;
        double[] y = new double[n * out * os * os];
        double[] dw = new double[w.length];
        double[] dx = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                int g = o / outPerGroup;
                for (int p = 0; p < os; p++) {
                    for (int q = 0; q < os; q++) {
                        int yi = ((b * out + o) * os + p) * os + q;
                        double acc = 0;
                        double up = dy[yi];
                        for (int ci = 0; ci < inPerGroup; ci++) {
                            int c = g * inPerGroup + ci;
                            for (int kh = 0; kh < kernel; kh++) {
                                int r = p * stride + kh - padding;
                                if (r < 0 || r >= side) {
                                    continue;
                                }
                                for (int kw = 0; kw < kernel; kw++) {
                                    int s = q * stride + kw - padding;
                                    if (s < 0 || s >= side) {
                                        continue;
                                    }
                                    int xi = ((b * in + c) * side + r) * side + s;
                                    int wi = ((o * inPerGroup + ci) * kernel + kh) * kernel + kw;
                                    acc += (double) x[xi] * w[wi];
                                    dw[wi] += up * x[xi];
                                    dx[xi] += up * w[wi];
                                }
                            }
                        }
                        y[yi] = acc;
                    }
                }
            }
        }
        return new Result(y, dw, dx);
    }
}
