package org.reconvene.deploy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.reconvene.model.Architectures;
import org.reconvene.model.BatchNormFolding;
import org.reconvene.model.ImportedArchitecture;
import org.reconvene.model.Layer;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Exports a network as a self-contained ONNX model for deployment.
 *
 * <p>The graph takes float pixels on the [0, 1] scale, NCHW with a dynamic batch dimension named
 * {@code batch}, at the side the dataset stores them ({@link InputTransform}); pads and normalises
 * them inside the graph; and returns logits ({@code [batch, classes]}). BatchNorm is folded into
 * the convolution before it ({@link BatchNormFolding}, outputs equal within float rounding).
 * Masked networks are exported dense with their zeros in place, as they deploy today: a
 * masked-out weight is exactly {@code 0.0f}, so the file compresses.
 *
 * <p>The nodes and initializers are made with Tribuo's ONNX graph builder ({@code ONNXContext});
 * the convolutional operators it lacks are in {@link OnnxOps}. Each layer kind's translation is
 * one method of a {@link Layer.Visitor}, so a new kind cannot be left out. The model's metadata
 * properties record the opset, architecture, widths, input transform and whatever the caller adds
 * (method, trial id, provenance).
 *
 * <p>Built with {@link #builder()}: {@code setNetwork} and {@code setInput} are required. The
 * network is only read; the export owns nothing after {@link Builder#build()} returns.
 */
public final class OnnxExport {

    /** The opset every exported file imports. */
    public static final int OPSET = 13;
    /** ONNX IR version of opset 13. */
    static final int IR_VERSION = 7;
    /** The graph's input and output names (an imported architecture keeps its file's: {@link #inputName}). */
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "logits";

    /** The input name of {@code spec}'s export: its ONNX file's for an imported architecture, else {@link #INPUT}. */
    public static String inputName(ModelSpec spec) {
        return Architectures.get(spec.arch()) instanceof ImportedArchitecture a ? a.inputName() : INPUT;
    }

    /** The output name of {@code spec}'s export: its ONNX file's for an imported architecture, else {@link #OUTPUT}. */
    public static String outputName(ModelSpec spec) {
        return Architectures.get(spec.arch()) instanceof ImportedArchitecture a ? a.outputName() : OUTPUT;
    }

    private OnnxExport() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link OnnxModel} from a network. */
    public static final class Builder {
        private Network network;
        private InputTransform input;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder() {}

        /** The network to export; it is read, not changed or closed. */
        public Builder setNetwork(Network network) {
            this.network = network;
            return this;
        }

        /** What the graph does to pixels before the network. */
        public Builder setInput(InputTransform input) {
            this.input = input;
            return this;
        }

        /** One metadata property (method, trial id, provenance...); null values are left out. */
        public Builder optMetadata(String key, Object value) {
            if (value != null) {
                metadata.put(key, String.valueOf(value));
            }
            return this;
        }

        /** Every entry of {@code values} as metadata; see {@link #optMetadata(String, Object)}. */
        public Builder optMetadata(Map<String, ?> values) {
            values.forEach(this::optMetadata);
            return this;
        }

        /**
         * Exports.
         *
         * @throws IllegalArgumentException if the network or the input is missing, or they disagree
         *     on channels, or the stored side is larger than the model's input
         */
        public OnnxModel build() {
            if (network == null || input == null) {
                throw new IllegalArgumentException("OnnxExport needs setNetwork and setInput");
            }
            ModelSpec spec = network.spec();
            if (input.channels() != spec.inputChannels()) {
                throw new IllegalArgumentException("the input transform has " + input.channels()
                        + " channels but the network takes " + spec.inputChannels());
            }
            if (input.storedSide() > spec.inputSize()) {
                throw new IllegalArgumentException("images of side " + input.storedSide()
                        + " are larger than the network's input of side " + spec.inputSize());
            }
            if (spec.batchNormFolded()) {
                return new OnnxModel(model(network, input, metadata).toByteArray());
            }
            try (Network folded = BatchNormFolding.fold(network)) {
                return new OnnxModel(model(folded, input, metadata).toByteArray());
            }
        }
    }

    private static ModelProto model(Network net, InputTransform in, Map<String, String> extra) {
        ModelSpec spec = net.spec();
        ONNXContext ctx = new ONNXContext();
        ctx.setName("reconvene-" + spec.arch());
        Map<String, float[]> values = dense(net);
        String inputName = inputName(spec);
        String outputName = outputName(spec);
        ONNXPlaceholder pixels = ctx.floatInput(inputName, 1);
        ONNXRef<?> x = pixels;
        int side = spec.inputSize();
        if (in.storedSide() < side) {
            int before = (side - in.storedSide()) / 2;
            int after = side - in.storedSide() - before;
            // Zeros in pixel space, before normalising: what IdxReader stores.
            ONNXInitializer pads = ctx.array("pads", new long[] {0, 0, before, before, 0, 0, after, after});
            x = ctx.operation(OnnxOps.PAD, List.of(x, pads), "padded", Map.of("mode", "constant"));
        }
        ONNXInitializer mean = ctx.floatTensor("mean", List.of(1, in.channels(), 1, 1), b -> b.put(in.mean()));
        ONNXInitializer std = ctx.floatTensor("std", List.of(1, in.channels(), 1, 1), b -> b.put(in.std()));
        x = x.apply(ONNXOperators.SUB, mean, "centred").apply(ONNXOperators.DIV, std, "normalised");
        ONNXRef<?> logits = new Translator(ctx, values).run(net.layers(), x);
        ONNXPlaceholder out = ctx.floatOutput(outputName, spec.numClasses());
        logits.apply(ONNXOperators.IDENTITY).assignTo(out);
        GraphProto graph = withImageInput(ctx.buildGraph(), inputName, in.channels(), in.storedSide());

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("opset", Integer.toString(OPSET));
        meta.put("architecture", spec.arch());
        meta.put("classes", Integer.toString(spec.numClasses()));
        meta.put("widths", spec.widths().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",")));
        meta.put("input", inputName + ": float32 [batch, " + in.channels() + ", " + in.storedSide() + ", "
                + in.storedSide() + "], pixels in [0, 1]");
        meta.put("normalization_mean", Arrays.toString(in.mean()));
        meta.put("normalization_std", Arrays.toString(in.std()));
        meta.put("output", outputName + ": float32 [batch, " + spec.numClasses() + "]");
        meta.put("batchnorm", "folded into the convolutions");
        meta.putAll(extra);
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("reconvene")
                .setGraph(graph)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /**
     * Tribuo's builder declares inputs as {@code [batch, features]}; an image model's input is
     * NCHW, so its declaration is replaced (same name, batch still dynamic).
     */
    private static GraphProto withImageInput(GraphProto g, String name, int channels, int side) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : new long[] {channels, side, side}) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        ValueInfoProto image = ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInputCount(); i++) {
            if (b.getInput(i).getName().equals(name)) {
                b.setInput(i, image);
                return b.build();
            }
        }
        throw new IllegalStateException("graph has no input " + name);
    }

    /** Every tensor by name, with masked-out weights exactly zero. */
    private static Map<String, float[]> dense(Network net) {
        Map<String, float[]> values = net.state();
        for (Map.Entry<String, NDArray> m : net.masks().entrySet()) {
            float[] w = values.get(m.getKey());
            float[] mask = m.getValue().toFloatArray();
            for (int i = 0; i < w.length; i++) {
                if (mask[i] == 0f) {
                    w[i] = 0f; // never -0.0f, which would not compress like the other zeros
                }
            }
        }
        return values;
    }

    /** Translates layers to nodes, one method per kind; returns the reference to each layer's output. */
    private static final class Translator {
        private final ONNXContext ctx;
        private final Map<String, float[]> values;
        private ONNXRef<?> x;

        Translator(ONNXContext ctx, Map<String, float[]> values) {
            this.ctx = ctx;
            this.values = values;
        }

        ONNXRef<?> run(List<Layer> layers, ONNXRef<?> input) {
            ONNXRef<?> h = input;
            for (Layer l : layers) {
                x = h;
                h = l.accept(visitor);
            }
            return h;
        }

        /** A scalar bound of Clip, one initializer per value, shared by every ReLU6. */
        private ONNXInitializer clipBound(String name, float value) {
            return clipBounds.computeIfAbsent(name, n -> ctx.constant(n, value));
        }

        private final Map<String, ONNXInitializer> clipBounds = new java.util.HashMap<>();

        private ONNXInitializer tensor(String name, List<Integer> dims) {
            float[] v = Objects.requireNonNull(values.get(name), () -> "no tensor " + name);
            return ctx.floatTensor(name, dims, b -> b.put(v));
        }

        private final Layer.Visitor<ONNXRef<?>> visitor = new Layer.Visitor<>() {
            @Override
            public ONNXRef<?> conv(Layer.Conv c) {
                ONNXInitializer w = tensor(c.weightName(), List.of(c.outChannels(), c.inChannels() / c.groups(),
                        c.kernel(), c.kernel()));
                List<ONNXRef<?>> inputs = c.bias() ? List.of(x, w, tensor(c.biasName(), List.of(c.outChannels())))
                        : List.of(x, w);
                int p = c.padding();
                return ctx.operation(OnnxOps.CONV, inputs, c.name(), Map.of(
                        "kernel_shape", new int[] {c.kernel(), c.kernel()},
                        "strides", new int[] {c.stride(), c.stride()},
                        "pads", new int[] {p, p, p, p},
                        "group", c.groups()));
            }

            @Override
            public ONNXRef<?> batchNorm(Layer.BatchNorm b) {
                List<Integer> dims = List.of(b.channels());
                return ctx.operation(OnnxOps.BATCH_NORMALIZATION, List.of(x, tensor(b.gammaName(), dims),
                                tensor(b.betaName(), dims), tensor(b.runningMeanName(), dims),
                                tensor(b.runningVarName(), dims)), b.name(),
                        Map.of("epsilon", (float) Network.BN_EPS));
            }

            @Override
            public ONNXRef<?> linear(Layer.Linear f) {
                ONNXRef<?> flat = ctx.operation(OnnxOps.FLATTEN, List.of(x), f.name() + "_flat", Map.of("axis", 1));
                ONNXInitializer w = tensor(f.weightName(), List.of(f.outFeatures(), f.inFeatures()));
                List<ONNXRef<?>> inputs = f.bias() ? List.of(flat, w, tensor(f.biasName(), List.of(f.outFeatures())))
                        : List.of(flat, w);
                return ctx.operation(ONNXOperators.GEMM, inputs, f.name(), Map.of("transB", 1));
            }

            @Override
            public ONNXRef<?> relu(Layer.Relu r) {
                return x.apply(OnnxOps.RELU);
            }

            @Override
            public ONNXRef<?> relu6(Layer.Relu6 r) {
                return ctx.operation(OnnxOps.CLIP, List.of(x, clipBound("clip_min", 0f), clipBound("clip_max", 6f)),
                        "relu6", Map.of());
            }

            @Override
            public ONNXRef<?> maxPool(Layer.MaxPool p) {
                return x.apply(OnnxOps.MAX_POOL, Map.of("kernel_shape", new int[] {p.kernel(), p.kernel()},
                        "strides", new int[] {p.stride(), p.stride()}));
            }

            @Override
            public ONNXRef<?> avgPool(Layer.AvgPool p) {
                return x.apply(OnnxOps.AVERAGE_POOL, Map.of("kernel_shape", new int[] {p.kernel(), p.kernel()},
                        "strides", new int[] {p.stride(), p.stride()}, "count_include_pad", 1));
            }

            @Override
            public ONNXRef<?> globalAvgPool(Layer.GlobalAvgPool g) {
                return x.apply(OnnxOps.GLOBAL_AVERAGE_POOL);
            }

            @Override
            public ONNXRef<?> residual(Layer.Residual r) {
                ONNXRef<?> in = x;
                ONNXRef<?> main = run(r.main(), in);
                ONNXRef<?> shortcut = r.shortcut().isEmpty() ? in : run(r.shortcut(), in);
                return main.apply(ONNXOperators.ADD, shortcut, r.name());
            }
        };
    }
}
