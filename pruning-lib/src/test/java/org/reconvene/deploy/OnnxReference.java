package org.reconvene.deploy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An interpreter of the ONNX graphs the platform exports, written here from the operator
 * specifications: the project's own reading of a file, independent of ONNX Runtime and of
 * libtorch. Convolutions and matrix products sum in float64; element-wise operators round to
 * float32 as the file's float32 tensors do (so that, like any float32 runtime, it rounds the
 * quantization of an image's pixels the same way: with min/max ranges those land exactly on
 * half steps). QuantizeLinear rounds half to even and saturates, DequantizeLinear is per tensor
 * or per axis, so a QDQ file is computed as the fake-quantized float network it describes.
 */
final class OnnxReference {

    /** A tensor: row-major values and dimensions. */
    record Value(double[] v, int[] dims) {
        int size(int from) {
            int s = 1;
            for (int i = from; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }
    }

    private final ModelProto model;
    private final Map<String, Value> inits = new HashMap<>();

    OnnxReference(ModelProto model) {
        this.model = model;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            inits.put(t.getName(), tensor(t));
        }
    }

    /** The graph's first output for {@code input} (NCHW pixels of {@code n} images). */
    double[] run(float[] input, int n) {
        return all(input, n).get(model.getGraph().getOutput(0).getName());
    }

    /** Every tensor the graph computes for {@code input}, by name. */
    Map<String, double[]> all(float[] input, int n) {
        return all(input, n, Map.of(), (name, mine) -> { });
    }

    /** What a tensor's own computation gave, before another runtime's value replaced it. */
    interface Check {
        void accept(String name, double[] mine);
    }

    /**
     * As {@link #all(float[], int)}, but each tensor named in {@code forced} is first computed here
     * and handed to {@code check}, then replaced by the forced value: each node is then computed
     * from exactly the inputs the other runtime had, so a difference is that node's own.
     */
    Map<String, double[]> all(float[] input, int n, Map<String, double[]> forced, Check check) {
        Map<String, Value> env = new HashMap<>(inits);
        var in = model.getGraph().getInput(0);
        var d = in.getType().getTensorType().getShape().getDimList();
        int[] dims = {n, (int) d.get(1).getDimValue(), (int) d.get(2).getDimValue(), (int) d.get(3).getDimValue()};
        double[] x = new double[input.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = input[i];
        }
        env.put(in.getName(), new Value(x, dims));
        for (NodeProto node : model.getGraph().getNodeList()) {
            Value v = apply(node, env);
            double[] f = forced.get(node.getOutput(0));
            if (f != null) {
                check.accept(node.getOutput(0), v.v());
                v = new Value(f, v.dims());
            }
            env.put(node.getOutput(0), v);
        }
        Map<String, double[]> out = new HashMap<>();
        env.forEach((k, v) -> out.put(k, v.v()));
        return out;
    }

    private Value apply(NodeProto n, Map<String, Value> env) {
        Value a = env.get(n.getInput(0));
        return switch (n.getOpType()) {
            case "Identity" -> a;
            case "Relu" -> map(a, x -> Math.max(0, x));
            case "Clip" -> {
                double lo = env.get(n.getInput(1)).v()[0];
                double hi = env.get(n.getInput(2)).v()[0];
                yield map(a, x -> Math.min(hi, Math.max(lo, x)));
            }
            case "Sub" -> broadcast(a, env.get(n.getInput(1)), (x, y) -> x - y);
            case "Div" -> broadcast(a, env.get(n.getInput(1)), (x, y) -> x / y);
            case "Add" -> broadcast(a, env.get(n.getInput(1)), Double::sum);
            case "Pad" -> pad(a, env.get(n.getInput(1)));
            case "Conv" -> conv(n, a, env.get(n.getInput(1)), n.getInputCount() > 2 ? env.get(n.getInput(2)) : null);
            case "MaxPool", "AveragePool" -> pool(n, a);
            case "GlobalAveragePool" -> globalAverage(a);
            case "Flatten" -> new Value(a.v(), new int[] {a.dims()[0], a.size(1)});
            case "Gemm" -> gemm(n, a, env.get(n.getInput(1)), n.getInputCount() > 2 ? env.get(n.getInput(2)) : null);
            case "QuantizeLinear" -> quantize(a, env.get(n.getInput(1)), env.get(n.getInput(2)), n);
            case "DequantizeLinear" -> dequantize(a, env.get(n.getInput(1)), env.get(n.getInput(2)), n);
            default -> throw new IllegalArgumentException("no reference for " + n.getOpType());
        };
    }

    private static Value map(Value a, java.util.function.DoubleUnaryOperator f) {
        double[] o = new double[a.v().length];
        for (int i = 0; i < o.length; i++) {
            o[i] = (float) f.applyAsDouble(a.v()[i]);
        }
        return new Value(o, a.dims());
    }

    /** {@code a op b} where {@code b} is a scalar, a [1, C, 1, 1] tensor or a tensor of {@code a}'s shape. */
    private static Value broadcast(Value a, Value b, java.util.function.DoubleBinaryOperator op) {
        double[] o = new double[a.v().length];
        int perChannel = a.dims().length == 4 ? a.size(2) : 1;
        int channels = a.dims().length > 1 ? a.dims()[1] : 1;
        for (int i = 0; i < o.length; i++) {
            double y = b.v().length == o.length ? b.v()[i]
                    : b.v().length == 1 ? b.v()[0] : b.v()[(i / perChannel) % channels];
            o[i] = (float) op.applyAsDouble((float) a.v()[i], (float) y);
        }
        return new Value(o, a.dims());
    }

    private static Value pad(Value a, Value pads) {
        int[] d = a.dims();
        int t = (int) pads.v()[2];
        int l = (int) pads.v()[3];
        int h = d[2] + t + (int) pads.v()[6];
        int w = d[3] + l + (int) pads.v()[7];
        double[] o = new double[d[0] * d[1] * h * w];
        for (int nc = 0; nc < d[0] * d[1]; nc++) {
            for (int y = 0; y < d[2]; y++) {
                for (int x = 0; x < d[3]; x++) {
                    o[(nc * h + y + t) * w + x + l] = a.v()[(nc * d[2] + y) * d[3] + x];
                }
            }
        }
        return new Value(o, new int[] {d[0], d[1], h, w});
    }

    private static long[] ints(NodeProto n, String name, long[] dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return dflt;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return dflt;
    }

    private static Value conv(NodeProto n, Value x, Value w, Value b) {
        int groups = (int) intAttr(n, "group", 1);
        int stride = (int) ints(n, "strides", new long[] {1, 1})[0];
        int pad = (int) ints(n, "pads", new long[] {0, 0, 0, 0})[0];
        int batch = x.dims()[0];
        int cin = x.dims()[1];
        int side = x.dims()[2];
        int cout = w.dims()[0];
        int k = w.dims()[2];
        int perGroupIn = cin / groups;
        int perGroupOut = cout / groups;
        int os = (side + 2 * pad - k) / stride + 1;
        double[] o = new double[batch * cout * os * os];
        for (int nb = 0; nb < batch; nb++) {
            for (int co = 0; co < cout; co++) {
                int g = co / perGroupOut;
                for (int oy = 0; oy < os; oy++) {
                    for (int ox = 0; ox < os; ox++) {
                        double s = b == null ? 0 : b.v()[co];
                        for (int ci = 0; ci < perGroupIn; ci++) {
                            int c = g * perGroupIn + ci;
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * stride - pad + ky;
                                if (iy < 0 || iy >= side) {
                                    continue;
                                }
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * stride - pad + kx;
                                    if (ix < 0 || ix >= side) {
                                        continue;
                                    }
                                    s += x.v()[((nb * cin + c) * side + iy) * side + ix]
                                            * w.v()[((co * perGroupIn + ci) * k + ky) * k + kx];
                                }
                            }
                        }
                        o[((nb * cout + co) * os + oy) * os + ox] = s;
                    }
                }
            }
        }
        return new Value(o, new int[] {batch, cout, os, os});
    }

    private static Value pool(NodeProto n, Value x) {
        boolean max = n.getOpType().equals("MaxPool");
        int k = (int) ints(n, "kernel_shape", null)[0];
        int stride = (int) ints(n, "strides", new long[] {1, 1})[0];
        int[] d = x.dims();
        int os = (d[2] - k) / stride + 1;
        double[] o = new double[d[0] * d[1] * os * os];
        for (int nc = 0; nc < d[0] * d[1]; nc++) {
            for (int oy = 0; oy < os; oy++) {
                for (int ox = 0; ox < os; ox++) {
                    double s = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            double v = x.v()[(nc * d[2] + oy * stride + ky) * d[3] + ox * stride + kx];
                            s = max ? Math.max(s, v) : s + v;
                        }
                    }
                    o[(nc * os + oy) * os + ox] = max ? s : s / (k * k);
                }
            }
        }
        return new Value(o, new int[] {d[0], d[1], os, os});
    }

    private static Value globalAverage(Value x) {
        int[] d = x.dims();
        int hw = d[2] * d[3];
        double[] o = new double[d[0] * d[1]];
        for (int nc = 0; nc < o.length; nc++) {
            double s = 0;
            for (int i = 0; i < hw; i++) {
                s += x.v()[nc * hw + i];
            }
            o[nc] = s / hw;
        }
        return new Value(o, new int[] {d[0], d[1], 1, 1});
    }

    private static Value gemm(NodeProto n, Value a, Value w, Value b) {
        boolean transB = intAttr(n, "transB", 0) != 0;
        int batch = a.dims()[0];
        int in = a.size(1);
        int out = transB ? w.dims()[0] : w.dims()[1];
        double[] o = new double[batch * out];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < out; j++) {
                double s = b == null ? 0 : b.v()[j];
                for (int k = 0; k < in; k++) {
                    s += a.v()[i * in + k] * (transB ? w.v()[j * in + k] : w.v()[k * out + j]);
                }
                o[i * out + j] = s;
            }
        }
        return new Value(o, new int[] {batch, out});
    }

    /** Per tensor: {@code saturate(rint(x / scale) + zp)} into uint8 (the division in float32), as integers held in doubles. */
    private static Value quantize(Value x, Value scale, Value zp, NodeProto n) {
        float s = (float) scale.v()[0];
        double z = zp.v()[0];
        return map(x, v -> Math.max(0, Math.min(255, Math.rint((float) v / s) + z)));
    }

    /** {@code (q - zp) * scale}, per tensor or along the node's axis. */
    private static Value dequantize(Value q, Value scale, Value zp, NodeProto n) {
        if (scale.v().length == 1) {
            return map(q, v -> (v - zp.v()[0]) * (float) scale.v()[0]);
        }
        int axis = (int) intAttr(n, "axis", 1);
        int channels = q.dims()[axis];
        int inner = q.size(axis + 1);
        double[] o = new double[q.v().length];
        for (int i = 0; i < o.length; i++) {
            int c = (i / inner) % channels;
            o[i] = (q.v()[i] - zp.v()[c]) * (float) scale.v()[c];
        }
        return new Value(o, q.dims());
    }

    private static Value tensor(TensorProto t) {
        int[] dims = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        double[] v;
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                v = new double[raw.hasRemaining() ? raw.remaining() / 4 : t.getFloatDataCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = raw.hasRemaining() ? raw.getFloat(4 * i) : t.getFloatData(i);
                }
            }
            case TensorProto.DataType.INT8_VALUE -> {
                v = new double[raw.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = raw.get(i);
                }
            }
            case TensorProto.DataType.UINT8_VALUE -> {
                v = new double[raw.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = raw.get(i) & 0xff;
                }
            }
            case TensorProto.DataType.INT32_VALUE -> {
                v = new double[raw.remaining() / 4];
                for (int i = 0; i < v.length; i++) {
                    v[i] = raw.getInt(4 * i);
                }
            }
            case TensorProto.DataType.INT64_VALUE -> {
                v = new double[raw.hasRemaining() ? raw.remaining() / 8 : t.getInt64DataCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = raw.hasRemaining() ? raw.getLong(8 * i) : t.getInt64Data(i);
                }
            }
            default -> throw new IllegalArgumentException("tensor " + t.getName() + " of type " + t.getDataType());
        }
        return new Value(v, dims.length == 0 ? new int[] {1} : dims);
    }

    @Override
    public String toString() {
        return "OnnxReference" + Arrays.toString(new int[] {model.getGraph().getNodeCount()});
    }
}
