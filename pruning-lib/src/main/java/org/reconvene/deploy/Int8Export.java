package org.reconvene.deploy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Post-training static quantization of an exported network into ONNX's QDQ form
 * (docs/METHOD.md section 7, docs/DEPLOY.md): the float file's graph with every weight stored as
 * int8 and every activation a layer reads passed through QuantizeLinear and DequantizeLinear, which
 * ONNX Runtime fuses into its integer kernels (QLinearConv, QGemm, QLinearAdd, ...).
 *
 * <ul>
 *   <li>Weights of Conv and Gemm: int8, symmetric, one scale per output channel, in
 *       [-{@value #WEIGHT_MAX}, {@value #WEIGHT_MAX}] ({@code s_c = max|w_c| / }{@value #WEIGHT_MAX}), so a
 *       masked weight is exactly 0 and a channel keeps its own range after Reconvene narrowed its
 *       neighbours. Biases: int32 at scale {@code s_x * s_c} (the input's scale times the
 *       channel's), as the integer kernels add them.</li>
 *   <li>Activations: uint8, asymmetric, one scale and zero point per tensor, for every tensor a
 *       Conv, Gemm, Add or pooling node reads (the normalised input, each block's output). The
 *       range is the minimum and maximum over the calibration images, widened to include 0 (the
 *       min/max rule, {@link #RULE}): deterministic, and with BatchNorm folded and ReLU after
 *       nearly every layer the ranges have no long tails to clip.</li>
 *   <li>Why uint8 activations and 7-bit weights: ONNX Runtime fuses this form (U8S8) into its
 *       integer kernels on x86-64 (QLinearConv, QLinearAdd, QGemm; with int8 activations it left
 *       half the convolutions in float), and AVX2 kernels without VNNI add pairs of u8 x s8
 *       products in 16 bits, which 255 x 127 x 2 overflows; 255 x 63 x 2 does not, so every CPU
 *       computes the same numbers (ONNX Runtime's own quantizer calls this reduce_range).</li>
 * </ul>
 *
 * <p>Calibration runs the float file itself in ONNX Runtime with the tensors to quantize as extra
 * outputs, on raw pixel batches ({@link StoredPixels}), so the ranges are those of the graph that
 * is quantized. Built with {@link #builder()}: {@code setModel} and {@code setCalibration} are
 * required; {@code build} reads both and owns nothing afterwards.
 */
public final class Int8Export {

    /** The calibration rule, as recorded in the file's metadata. */
    public static final String RULE = "min/max";
    /** Calibration batches unless a caller says otherwise, of {@link #CALIBRATION_BATCH} images. */
    public static final int DEFAULT_CALIBRATION_BATCHES = 8;
    public static final int CALIBRATION_BATCH = 64;
    /** The ops whose activation inputs are quantized. */
    private static final Set<String> QUANTIZED_READERS =
            Set.of("Conv", "Gemm", "Add", "MaxPool", "AveragePool", "GlobalAveragePool");
    /** Activation range (uint8). */
    private static final int QMIN = 0;
    private static final int QMAX = 255;
    /** Weight range: symmetric 7-bit, see the class comment. */
    public static final int WEIGHT_MAX = 63;

    private Int8Export() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Builds the int8 file of a float export. */
    public static final class Builder {
        private OnnxModel model;
        private List<float[]> batches;
        private List<Integer> batchSizes;
        private String description;

        private Builder() {}

        /** The float export to quantize ({@link OnnxExport}: BatchNorm already folded). */
        public Builder setModel(OnnxModel model) {
            this.model = model;
            return this;
        }

        /**
         * The calibration images: NCHW float pixel batches as the file takes them, with the number
         * of images in each, and a sentence saying where they came from (for the metadata).
         */
        public Builder setCalibration(List<float[]> batches, List<Integer> sizes, String description) {
            this.batches = List.copyOf(batches);
            this.batchSizes = List.copyOf(sizes);
            this.description = description;
            return this;
        }

        /**
         * Quantizes.
         *
         * @throws IllegalArgumentException if the model or the calibration images are missing
         */
        public OnnxModel build() {
            if (model == null) {
                throw new IllegalArgumentException("Int8Export needs setModel");
            }
            if (batches == null || batches.isEmpty()) {
                throw new IllegalArgumentException("int8 export needs calibration images: none were given");
            }
            return new OnnxModel(quantize(model.proto(), batches, batchSizes, description).toByteArray());
        }
    }

    /** Per-tensor activation quantization: scale and (uint8) zero point. */
    record ActivationParams(float scale, int zeroPoint) {
        static ActivationParams of(double min, double max) {
            double lo = Math.min(0, min);
            double hi = Math.max(0, max);
            double scale = (hi - lo) / (QMAX - QMIN);
            if (!(scale > 0) || !Double.isFinite(scale)) {
                scale = 1.0;
            }
            long zp = Math.round(QMIN - lo / scale);
            return new ActivationParams((float) scale, (int) Math.max(QMIN, Math.min(QMAX, zp)));
        }
    }

    private static ModelProto quantize(ModelProto m, List<float[]> batches, List<Integer> sizes, String description) {
        GraphProto g = withoutFusableActivations(m.getGraph());
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        Set<String> quantized = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (QUANTIZED_READERS.contains(n.getOpType())) {
                int activations = n.getOpType().equals("Add") ? 2 : 1;
                for (int i = 0; i < activations; i++) {
                    if (!initializers.containsKey(n.getInput(i))) {
                        quantized.add(n.getInput(i));
                    }
                }
            }
        }
        Map<String, ActivationParams> params = calibrate(m, quantized, batches, sizes);

        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer();
        Set<String> replacedWeights = new HashSet<>();
        List<TensorProto> newInitializers = new ArrayList<>();
        Map<String, String> dequantized = new HashMap<>();
        for (String t : quantized) {
            dequantized.put(t, t + "_dq");
        }
        // Q/DQ pairs of tensors computed before any node (none in our exports, kept for safety)
        for (ValueInfoProto in : g.getInputList()) {
            if (quantized.contains(in.getName())) {
                addQdq(out, newInitializers, in.getName(), params.get(in.getName()));
            }
        }
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder nb = n.toBuilder();
            for (int i = 0; i < nb.getInputCount(); i++) {
                String dq = dequantized.get(nb.getInput(i));
                if (dq != null) {
                    nb.setInput(i, dq);
                }
            }
            if (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) {
                ActivationParams x = params.get(n.getInput(0));
                String w = n.getInput(1);
                boolean transposed = n.getOpType().equals("Gemm") && !transB(n);
                float[] wScales = addWeight(out, newInitializers, initializers.get(w), transposed);
                replacedWeights.add(w);
                nb.setInput(1, w + "_dq");
                if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                    String b = n.getInput(2);
                    addBias(out, newInitializers, initializers.get(b), x.scale(), wScales);
                    replacedWeights.add(b);
                    nb.setInput(2, b + "_dq");
                }
            }
            out.addNode(nb);
            for (String o : n.getOutputList()) {
                if (quantized.contains(o)) {
                    addQdq(out, newInitializers, o, params.get(o));
                }
            }
        }
        for (TensorProto t : initializers.values()) {
            if (!replacedWeights.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        out.addAllInitializer(newInitializers);
        ModelProto.Builder mb = m.toBuilder().setGraph(out);
        mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey("quantization").setValue(
                "int8 QDQ: weights symmetric 7-bit int8 per output channel, biases int32, activations uint8 per tensor, "
                        + RULE + " over " + description));
        return mb.build();
    }

    /**
     * The graph with each ReLU or ReLU6 that follows a Conv or Add (its only reader) removed, the
     * Conv or Add writing the activation's output instead, as ONNX Runtime's own quantizer does.
     * The quantization of that output then does the clamping: its range starts at 0, so its zero
     * point is 0 and every negative value becomes exactly 0; a ReLU6 output's calibrated
     * maximum is at most 6, so values above it saturate there either way. ONNX Runtime then fuses
     * DQ, Conv (or Add) and Q into one integer kernel.
     */
    static GraphProto withoutFusableActivations(GraphProto g) {
        Map<String, Integer> readers = new HashMap<>();
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String i : n.getInputList()) {
                readers.merge(i, 1, Integer::sum);
            }
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
        }
        for (ValueInfoProto o : g.getOutputList()) {
            readers.merge(o.getName(), 1, Integer::sum);
        }
        Map<String, String> renamed = new HashMap<>(); // producer's output -> activation's output
        Set<NodeProto> dropped = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            boolean activation = n.getOpType().equals("Relu") || isRelu6(n, g);
            NodeProto p = producer.get(n.getInput(0));
            if (activation && p != null && (p.getOpType().equals("Conv") || p.getOpType().equals("Add"))
                    && readers.getOrDefault(n.getInput(0), 0) == 1) {
                renamed.put(n.getInput(0), n.getOutput(0));
                dropped.add(n);
            }
        }
        GraphProto.Builder b = g.toBuilder().clearNode();
        for (NodeProto n : g.getNodeList()) {
            if (dropped.contains(n)) {
                continue;
            }
            NodeProto.Builder nb = n.toBuilder();
            for (int i = 0; i < nb.getOutputCount(); i++) {
                String r = renamed.get(nb.getOutput(i));
                if (r != null) {
                    nb.setOutput(i, r);
                }
            }
            b.addNode(nb);
        }
        return b.build();
    }

    private static boolean isRelu6(NodeProto n, GraphProto g) {
        if (!n.getOpType().equals("Clip") || n.getInputCount() < 3) {
            return false;
        }
        Float lo = scalar(g, n.getInput(1));
        Float hi = scalar(g, n.getInput(2));
        return lo != null && hi != null && lo == 0f && hi == 6f;
    }

    private static Float scalar(GraphProto g, String name) {
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().equals(name)) {
                float[] v = floatValues(t);
                return v.length == 1 ? v[0] : null;
            }
        }
        return null;
    }

    private static boolean transB(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("transB")) {
                return a.getI() != 0;
            }
        }
        return false;
    }

    /** Minimum and maximum of every tensor in {@code names} over the calibration batches, as ONNX Runtime computes them. */
    private static Map<String, ActivationParams> calibrate(ModelProto m, Set<String> names, List<float[]> batches,
            List<Integer> sizes) {
        GraphProto.Builder g = m.getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        for (ValueInfoProto o : g.getOutputList()) {
            outputs.add(o.getName());
        }
        for (String n : names) {
            if (!outputs.contains(n)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(n).setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT.getNumber()))));
            }
        }
        byte[] probe = m.toBuilder().setGraph(g).build().toByteArray();
        Map<String, double[]> ranges = new LinkedHashMap<>();
        for (String n : names) {
            ranges.put(n, new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(Math.max(1, org.reconvene.engine.Engines.threads()));
            // the unoptimised graph: every named tensor exists as computed
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession s = env.createSession(probe, opts)) {
                String input = s.getInputNames().iterator().next();
                long[] shape = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(input).getInfo()).getShape();
                for (int b = 0; b < batches.size(); b++) {
                    long[] bs = {sizes.get(b), shape[1], shape[2], shape[3]};
                    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(batches.get(b)), bs);
                            OrtSession.Result r = s.run(Map.of(input, x), names)) {
                        for (String n : names) {
                            FloatBuffer v = ((OnnxTensor) r.get(n).orElseThrow()).getFloatBuffer();
                            double[] mm = ranges.get(n);
                            while (v.hasRemaining()) {
                                float f = v.get();
                                mm[0] = Math.min(mm[0], f);
                                mm[1] = Math.max(mm[1], f);
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to calibrate: " + e.getMessage(), e);
        }
        Map<String, ActivationParams> out = new HashMap<>();
        ranges.forEach((n, mm) -> out.put(n, ActivationParams.of(mm[0], mm[1])));
        return out;
    }

    /** QuantizeLinear and DequantizeLinear of tensor {@code t}: {@code t -> t_q -> t_dq}. */
    private static void addQdq(GraphProto.Builder g, List<TensorProto> inits, String t, ActivationParams p) {
        inits.add(floats(t + "_scale", new float[] {p.scale()}, true));
        inits.add(TensorProto.newBuilder().setName(t + "_zero_point").setDataType(TensorProto.DataType.UINT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) p.zeroPoint()})).build());
        g.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(t + "_quantize")
                .addInput(t).addInput(t + "_scale").addInput(t + "_zero_point").addOutput(t + "_q"));
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(t + "_dequantize")
                .addInput(t + "_q").addInput(t + "_scale").addInput(t + "_zero_point").addOutput(t + "_dq"));
    }

    /**
     * Adds weight {@code w} as int8 with one scale per output channel and its DequantizeLinear;
     * returns the scales. {@code transposed}: a Gemm weight stored [in, out] (axis 1 is the output).
     */
    private static float[] addWeight(GraphProto.Builder g, List<TensorProto> inits, TensorProto w, boolean transposed) {
        float[] v = floatValues(w);
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int axis = transposed ? 1 : 0;
        int channels = (int) dims[axis];
        float[] scales = weightScales(v, dims, axis);
        byte[] q = new byte[v.length];
        int inner = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= (int) dims[d];
        }
        for (int i = 0; i < v.length; i++) {
            int c = (i / inner) % channels;
            q[i] = (byte) quantizeWeight(v[i], scales[c]);
        }
        String name = w.getName();
        inits.add(TensorProto.newBuilder().setName(name + "_q").setDataType(TensorProto.DataType.INT8_VALUE)
                .addAllDims(w.getDimsList()).setRawData(ByteString.copyFrom(q)).build());
        inits.add(floats(name + "_scale", scales, false));
        inits.add(TensorProto.newBuilder().setName(name + "_zero_point").setDataType(TensorProto.DataType.INT8_VALUE)
                .addDims(channels).setRawData(ByteString.copyFrom(new byte[channels])).build());
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "_dequantize")
                .addInput(name + "_q").addInput(name + "_scale").addInput(name + "_zero_point").addOutput(name + "_dq")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(axis)));
        return scales;
    }

    /** {@code max|w_c| / WEIGHT_MAX} per channel along {@code axis}; 1 for an all-zero channel (its weights stay 0). */
    static float[] weightScales(float[] v, long[] dims, int axis) {
        int channels = (int) dims[axis];
        int inner = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= (int) dims[d];
        }
        float[] max = new float[channels];
        for (int i = 0; i < v.length; i++) {
            int c = (i / inner) % channels;
            max[c] = Math.max(max[c], Math.abs(v[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = max[c] > 0 ? max[c] / WEIGHT_MAX : 1f;
        }
        return scales;
    }

    /** round-half-to-even of {@code w / scale}, in [-WEIGHT_MAX, WEIGHT_MAX]: QuantizeLinear's rule, symmetric. */
    static int quantizeWeight(float w, float scale) {
        return (int) Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, Math.rint(w / scale)));
    }

    /** Adds bias {@code b} as int32 at scale {@code xScale * wScales[c]} and its DequantizeLinear. */
    private static void addBias(GraphProto.Builder g, List<TensorProto> inits, TensorProto b, float xScale,
            float[] wScales) {
        float[] v = floatValues(b);
        float[] scales = new float[v.length];
        ByteBuffer q = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < v.length; c++) {
            scales[c] = xScale * wScales[c];
            double r = Math.rint(v[c] / (double) scales[c]);
            q.putInt((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r)));
        }
        String name = b.getName();
        inits.add(TensorProto.newBuilder().setName(name + "_q").setDataType(TensorProto.DataType.INT32_VALUE)
                .addAllDims(b.getDimsList()).setRawData(ByteString.copyFrom(q.array())).build());
        inits.add(floats(name + "_scale", scales, false));
        inits.add(TensorProto.newBuilder().setName(name + "_zero_point").setDataType(TensorProto.DataType.INT32_VALUE)
                .addDims(v.length).setRawData(ByteString.copyFrom(new byte[4 * v.length])).build());
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "_dequantize")
                .addInput(name + "_q").addInput(name + "_scale").addInput(name + "_zero_point").addOutput(name + "_dq")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(0)));
    }

    private static TensorProto floats(String name, float[] v, boolean scalar) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        if (!scalar) {
            t.addDims(v.length);
        }
        return t.build();
    }

    /** A float initializer's values (raw data or float_data). */
    static float[] floatValues(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }
}
