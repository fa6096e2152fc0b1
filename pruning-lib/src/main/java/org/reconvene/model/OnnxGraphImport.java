package org.reconvene.model;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the architecture of an ONNX file into the platform's layer graph (docs/METHOD.md section
 * 6): which layers, in which order, how wide, and where residual additions join two branches. The
 * file's weights are not read; pruning at initialization initialises from the trial's seed.
 *
 * <p>The graph must be a chain of supported operators with residual additions: every tensor feeds
 * one node, except where a residual block forks (two), and an {@code Add} of two computed tensors
 * joins the two branches that start at their nearest common tensor. Such a graph nests exactly as
 * {@link Layer.Residual} blocks. Channel groups follow from the same walk: tensors added together
 * share a group, a depthwise convolution's output is its input's group, and every other
 * convolution starts a group named after itself.
 *
 * <p>Everything that cannot be imported is an {@link IllegalArgumentException} naming the file,
 * the node and its op type, and what is supported: an unknown op, a cycle, a spatial shape that
 * is not static, a convolution that is neither dense nor depthwise, a malformed file.
 */
final class OnnxGraphImport {

    /** The opsets read (ai.onnx domain). */
    static final int MIN_OPSET = 11;
    static final int MAX_OPSET = 17;

    static final String SUPPORTED = "Conv (groups 1 or depthwise), Gemm, MatMul+Add, BatchNormalization, Relu, "
            + "Clip (0..6), Add (residual), MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape (to 2-D), "
            + "Constant (and Cast of a constant) feeding Clip or Reshape, Identity, Dropout";

    private static final Set<String> OPS = Set.of("Conv", "Gemm", "MatMul", "Add", "BatchNormalization", "Relu",
            "Clip", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Constant", "Cast", "Identity",
            "Dropout");

    /** What an import yields: the layer graph at the file's own widths, and the file's interface. */
    record Graph(List<Layer> layers, int inputChannels, int inputSide, int classes, String inputName,
            String outputName, int opset) {}

    private final String source;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, TensorProto> constants = new HashMap<>();
    private final Map<String, String> alias = new HashMap<>();
    private final Map<String, NodeProto> producer = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<NodeProto, String> names = new HashMap<>();
    /** Per activation tensor: {channels, side} for a map, {features, 0} once flattened. */
    private final Map<String, int[]> shapes = new HashMap<>();
    /** Union-find over tensors for channel groups. */
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, String> groupName = new HashMap<>();
    /** Per group root: the node index of the convolution that names it (the earliest wins). */
    private final Map<String, Integer> groupOrder = new HashMap<>();
    private final Map<NodeProto, Integer> order = new HashMap<>();
    private final Set<NodeProto> visited = new HashSet<>();
    /** MatMul nodes whose bias Add follows, and those Adds. */
    private final Map<NodeProto, NodeProto> matMulBias = new HashMap<>();
    private final Set<NodeProto> biasAdds = new HashSet<>();
    private String input;
    private int linears;

    private OnnxGraphImport(String source) {
        this.source = source;
    }

    /**
     * The graph of the ONNX model in {@code bytes}; {@code source} names the file in errors.
     *
     * @throws IllegalArgumentException if the file is not an ONNX model the platform can import
     */
    static Graph read(byte[] bytes, String source) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(source + " is not an ONNX model (" + e.getMessage() + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IllegalArgumentException(source + " is not an ONNX model: it has no graph");
        }
        return new OnnxGraphImport(source).translate(model);
    }

    private Graph translate(ModelProto model) {
        int opset = opset(model);
        GraphProto g = model.getGraph();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(v);
            }
        }
        if (inputs.size() != 1 || g.getOutputCount() != 1) {
            throw bad("the graph has " + inputs.size() + " inputs and " + g.getOutputCount()
                    + " outputs; one image input and one logits output are supported");
        }
        input = inputs.get(0).getName();
        int[] in = inputShape(inputs.get(0));
        shapes.put(input, in);
        List<NodeProto> nodes = readNodes(g);
        for (NodeProto n : topologicalOrder(nodes)) {
            shape(n);
        }
        String output = resolve(g.getOutput(0).getName());
        if (!producer.containsKey(output)) {
            throw bad("the graph's output " + g.getOutput(0).getName() + " is not computed by any node");
        }
        List<Layer> layers = chain(input, output);
        for (NodeProto n : nodes) {
            if (!constants.containsKey(n.getOutput(0)) && !visited.contains(n)) {
                throw bad(node(n) + " is not on the path from the input to the output as a chain or a residual "
                        + "addition; supported graphs are chains of layers with residual additions of two branches");
            }
        }
        if (!(layers.get(layers.size() - 1) instanceof Layer.Linear fc)) {
            throw bad("the graph does not end in a classifier (Gemm, or MatMul and Add); it ends in "
                    + node(producer.get(output)));
        }
        return new Graph(layers, in[0], in[1], fc.outFeatures(), input, g.getOutput(0).getName(), opset);
    }

    private int opset(ModelProto model) {
        int opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) o.getVersion();
            }
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw bad("opset " + (opset < 0 ? "(none)" : opset) + " is not supported; opsets " + MIN_OPSET + " to "
                    + MAX_OPSET + " are");
        }
        return opset;
    }

    /** {channels, side} of the image input: NCHW with static, square spatial dimensions. */
    private int[] inputShape(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            throw bad("input " + v.getName() + " has no tensor shape; an NCHW image input is supported");
        }
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        if (dims.size() != 4) {
            throw bad("input " + v.getName() + " has " + dims.size() + " dimensions; an NCHW image input is supported");
        }
        long[] d = new long[3];
        for (int i = 1; i < 4; i++) {
            TensorShapeProto.Dimension dim = dims.get(i);
            if (!dim.hasDimValue() || dim.getDimValue() < 1) {
                throw bad("input " + v.getName() + " has a dynamic " + (i == 1 ? "channel" : "spatial")
                        + " dimension (" + (dim.hasDimParam() ? dim.getDimParam() : "?") + "); channels, height and "
                        + "width must be static");
            }
            d[i - 1] = dim.getDimValue();
        }
        if (d[1] != d[2] || d[1] > 4096 || d[0] > 4096) {
            throw bad("input " + v.getName() + " is " + d[0] + "x" + d[1] + "x" + d[2]
                    + "; square images of side at most 4096 are supported");
        }
        return new int[] {(int) d[0], (int) d[1]};
    }

    /** Checks op types, records producers, constants and aliases, and names the nodes. */
    private List<NodeProto> readNodes(GraphProto g) {
        List<NodeProto> nodes = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        int index = 0;
        for (NodeProto n : g.getNodeList()) {
            if (!(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")) || !OPS.contains(n.getOpType())) {
                throw bad(node(n) + ": op type " + n.getOpType() + (n.getDomain().isEmpty() ? "" : " of domain "
                        + n.getDomain()) + " is not supported; supported: " + SUPPORTED);
            }
            if (n.getOutputCount() == 0) {
                throw bad(node(n) + " has no output");
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && (producer.containsKey(out) || initializers.containsKey(out) || out.equals(input))) {
                    throw bad(node(n) + " writes tensor " + out + ", which something else already defines");
                }
            }
            switch (n.getOpType()) {
                case "Constant" -> constants.put(n.getOutput(0), constantValue(n));
                case "Cast" -> constants.put(n.getOutput(0), cast(n));
                case "Identity", "Dropout" -> {
                    alias.put(n.getOutput(0), n.getInput(0));
                    visited.add(n);
                }
                default -> { }
            }
            for (String out : n.getOutputList()) {
                producer.put(out, n);
            }
            String name = layerName(moduleName(n), n.getOpType(), index++);
            while (!taken.add(name)) {
                name = name + "_" + index;
            }
            names.put(n, name);
            order.put(n, nodes.size());
            nodes.add(n);
        }
        for (NodeProto n : nodes) {
            if (constants.containsKey(n.getOutput(0)) || alias.containsKey(n.getOutput(0))) {
                continue;
            }
            for (String i : activationInputs(n)) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        return nodes;
    }

    /**
     * The name of the module a node's parameters came from where the exporter kept it (PyTorch
     * names a convolution's weight {@code layer1.0.conv1.weight}), else the node's own name.
     */
    private String moduleName(NodeProto n) {
        int param = switch (n.getOpType()) {
            case "Conv", "Gemm", "MatMul", "BatchNormalization" -> 1;
            default -> -1;
        };
        if (param > 0 && n.getInputCount() > param) {
            String w = n.getInput(param);
            if (w.endsWith(".weight") && initializers.containsKey(w) && !w.contains("::")) {
                return w.substring(0, w.length() - ".weight".length());
            }
        }
        return n.getName();
    }

    /** The value of a Constant node, whichever attribute holds it. */
    private TensorProto constantValue(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value" -> {
                    return a.getT();
                }
                case "value_float" -> {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(a.getF())
                            .build();
                }
                case "value_floats" -> {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE)
                            .addDims(a.getFloatsCount()).addAllFloatData(a.getFloatsList()).build();
                }
                case "value_int" -> {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(a.getI())
                            .build();
                }
                case "value_ints" -> {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE)
                            .addDims(a.getIntsCount()).addAllInt64Data(a.getIntsList()).build();
                }
                default -> { }
            }
        }
        throw bad(node(n) + " has no value attribute of a supported kind (value, value_float(s), value_int(s))");
    }

    /** A Cast of a constant, computed here: bounds of Clip arrive so from PyTorch at some opsets. */
    private TensorProto cast(NodeProto n) {
        String in = n.getInputCount() > 0 ? resolve(n.getInput(0)) : "";
        TensorProto t = constants.getOrDefault(in, initializers.get(in));
        if (t == null) {
            throw bad(node(n) + ": Cast of a computed tensor is not supported; Cast of a constant is");
        }
        long to = intAttr(n, "to", 0);
        double[] v = numbers(t);
        TensorProto.Builder b = TensorProto.newBuilder().addAllDims(t.getDimsList());
        if (to == TensorProto.DataType.FLOAT_VALUE) {
            b.setDataType(TensorProto.DataType.FLOAT_VALUE);
            for (double d : v) {
                b.addFloatData((float) d);
            }
        } else if (to == TensorProto.DataType.INT64_VALUE) {
            b.setDataType(TensorProto.DataType.INT64_VALUE);
            for (double d : v) {
                b.addInt64Data((long) d);
            }
        } else {
            throw bad(node(n) + ": Cast to data type " + to + " is not supported; float and int64 are");
        }
        return b.build();
    }

    /** The values of a small numeric tensor (float, double, int32 or int64) as doubles. */
    private double[] numbers(TensorProto t) {
        int type = t.getDataType();
        if (type == TensorProto.DataType.FLOAT_VALUE) {
            float[] f = floats(t);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        if (type == TensorProto.DataType.INT64_VALUE) {
            return java.util.Arrays.stream(longs(t)).asDoubleStream().toArray();
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (type == TensorProto.DataType.DOUBLE_VALUE) {
            if (raw.hasRemaining()) {
                double[] d = new double[raw.remaining() / 8];
                raw.asDoubleBuffer().get(d);
                return d;
            }
            return t.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray();
        }
        if (type == TensorProto.DataType.INT32_VALUE) {
            if (raw.hasRemaining()) {
                int[] i = new int[raw.remaining() / 4];
                raw.asIntBuffer().get(i);
                return java.util.Arrays.stream(i).asDoubleStream().toArray();
            }
            return t.getInt32DataList().stream().mapToDouble(Integer::doubleValue).toArray();
        }
        throw bad("tensor " + t.getName() + " has data type " + type + "; a numeric constant is expected");
    }

    /** A layer name from a node name: PyTorch's {@code /features/features.0/Conv} becomes {@code features.features.0.Conv}. */
    static String layerName(String nodeName, String opType, int index) {
        String s = nodeName.replaceAll("[^A-Za-z0-9_.-]+", ".").replaceAll("\\.{2,}", ".").replaceAll("^\\.|\\.$", "");
        return s.isEmpty() ? opType + "_" + index : s;
    }

    /** Inputs of {@code n} that are computed tensors (not weights, constants or empty optional inputs). */
    private List<String> activationInputs(NodeProto n) {
        List<String> out = new ArrayList<>();
        for (String i : n.getInputList()) {
            String r = resolve(i);
            if (!r.isEmpty() && !initializers.containsKey(r) && !constants.containsKey(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private String resolve(String tensor) {
        String t = tensor;
        for (int hops = 0; alias.containsKey(t); hops++) {
            if (hops > alias.size()) {
                throw bad("Identity or Dropout nodes form a cycle at tensor " + tensor);
            }
            t = alias.get(t);
        }
        return t;
    }

    /** Kahn's order over the computing nodes; a node left over is on a cycle. */
    private List<NodeProto> topologicalOrder(List<NodeProto> nodes) {
        Map<NodeProto, Integer> pending = new LinkedHashMap<>();
        Deque<NodeProto> ready = new ArrayDeque<>();
        for (NodeProto n : nodes) {
            if (constants.containsKey(n.getOutput(0)) || alias.containsKey(n.getOutput(0))) {
                continue;
            }
            int waits = 0;
            for (String i : activationInputs(n)) {
                if (!i.equals(input)) {
                    if (!producer.containsKey(i)) {
                        throw bad(node(n) + " reads tensor " + i + ", which no node, initializer or input defines");
                    }
                    waits++;
                }
            }
            pending.put(n, waits);
            if (waits == 0) {
                ready.add(n);
            }
        }
        List<NodeProto> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            NodeProto n = ready.poll();
            order.add(n);
            pending.remove(n);
            for (String out : n.getOutputList()) {
                for (NodeProto c : consumers.getOrDefault(out, List.of())) {
                    int left = pending.merge(c, -1, Integer::sum);
                    if (left == 0) {
                        ready.add(c);
                    }
                }
            }
        }
        if (!pending.isEmpty()) {
            throw bad(node(pending.keySet().iterator().next()) + " is on a cycle; the graph must be acyclic");
        }
        return order;
    }

    /** Checks {@code n}'s attributes and records its output shape and channel group. */
    private void shape(NodeProto n) {
        List<String> acts = activationInputs(n);
        String out = n.getOutput(0);
        switch (n.getOpType()) {
            case "Conv" -> {
                int[] s = map(n, acts);
                TensorProto w = initializer(n, 1, "weight");
                long[] d = dims(w);
                long group = intAttr(n, "group", 1);
                if (d.length != 4 || d[2] != d[3]) {
                    throw bad(node(n) + ": weight " + w.getName() + " is " + dimsText(d)
                            + "; square 2-D kernels are supported");
                }
                int k = (int) d[2];
                int stride = square(n, "strides", 1);
                int pad = pads(n);
                if (square(n, "dilations", 1) != 1) {
                    throw bad(node(n) + ": dilations other than 1 are not supported");
                }
                checkKernelShape(n, k);
                boolean depthwise = group > 1;
                if (depthwise && !(group == s[0] && d[0] == s[0] && d[1] == 1)) {
                    throw bad(node(n) + ": group " + group + " over " + s[0] + " input channels into " + d[0]
                            + "; only dense (group 1) and depthwise (group = input = output channels) convolutions "
                            + "are supported");
                }
                if (!depthwise && d[1] != s[0]) {
                    throw bad(node(n) + ": weight " + w.getName() + " reads " + d[1] + " channels but its input has "
                            + s[0]);
                }
                int side = (s[1] + 2 * pad - k) / stride + 1;
                if (side < 1) {
                    throw bad(node(n) + ": a " + k + "x" + k + " kernel does not fit the " + s[1] + "x" + s[1] + " map");
                }
                shapes.put(out, new int[] {(int) d[0], side});
                if (depthwise) {
                    union(out, acts.get(0));
                } else {
                    groupName.put(out, names.get(n));
                    groupOrder.put(out, order.get(n));
                }
            }
            case "BatchNormalization" -> {
                int[] s = map(n, acts);
                for (int i = 1; i <= 4; i++) {
                    long[] d = dims(initializer(n, i, "BatchNorm parameter"));
                    if (d.length != 1 || d[0] != s[0]) {
                        throw bad(node(n) + ": parameter " + n.getInput(i) + " is " + dimsText(d) + " for "
                                + s[0] + " channels");
                    }
                }
                for (int i = 1; i < n.getOutputCount(); i++) {
                    if (!n.getOutput(i).isEmpty() && !consumers.getOrDefault(n.getOutput(i), List.of()).isEmpty()) {
                        throw bad(node(n) + ": its running statistics output " + n.getOutput(i)
                                + " is read by another node; only its normalised output may be");
                    }
                }
                same(n, acts, s);
            }
            case "Relu" -> same(n, acts, one(n, acts));
            case "Clip" -> {
                float min = scalar(n, 1);
                float max = scalar(n, 2);
                if (min != 0f || max != 6f) {
                    throw bad(node(n) + ": Clip(" + min + ", " + max + ") is not supported; Clip is supported as "
                            + "ReLU6, Clip(0, 6)");
                }
                same(n, acts, one(n, acts));
            }
            case "MaxPool", "AveragePool" -> {
                int[] s = map(n, acts);
                long[] ks = ints(n, "kernel_shape");
                if (ks == null || ks.length != 2 || ks[0] != ks[1]) {
                    throw bad(node(n) + ": square 2-D pooling windows are supported");
                }
                int stride = square(n, "strides", 1);
                if (pads(n) != 0 || intAttr(n, "ceil_mode", 0) != 0 || square(n, "dilations", 1) != 1) {
                    throw bad(node(n) + ": pooling with padding, ceil_mode or dilations is not supported");
                }
                if (n.getOutputCount() > 1 && !consumers.getOrDefault(n.getOutput(1), List.of()).isEmpty()) {
                    throw bad(node(n) + ": pooling indices are not supported");
                }
                int side = (s[1] - (int) ks[0]) / stride + 1;
                if (side < 1) {
                    throw bad(node(n) + ": the window does not fit the " + s[1] + "x" + s[1] + " map");
                }
                shapes.put(out, new int[] {s[0], side});
                union(out, acts.get(0));
            }
            case "GlobalAveragePool" -> {
                int[] s = map(n, acts);
                shapes.put(out, new int[] {s[0], 1});
                union(out, acts.get(0));
            }
            case "Flatten", "Reshape" -> {
                int[] s = one(n, acts);
                if (n.getOpType().equals("Flatten") && intAttr(n, "axis", 1) != 1) {
                    throw bad(node(n) + ": Flatten with axis " + intAttr(n, "axis", 1)
                            + " is not supported; axis 1 (batch kept) is");
                }
                if (n.getOpType().equals("Reshape")) {
                    long[] target = longs(constantOrInitializer(n, 1));
                    if (target.length != 2) {
                        throw bad(node(n) + ": Reshape to " + dimsText(target) + " is not supported; Reshape to 2-D "
                                + "(batch, features) before the classifier is");
                    }
                }
                if (s[1] > 1) {
                    throw bad(node(n) + ": flattening a " + s[0] + "x" + s[1] + "x" + s[1] + " map into the "
                            + "classifier is not supported; pool to 1x1 first (GlobalAveragePool)");
                }
                shapes.put(out, new int[] {s[0], 0});
                union(out, acts.get(0));
            }
            case "Gemm" -> {
                int[] s = vector(n, acts);
                long[] d = dims(initializer(n, 1, "weight"));
                if (intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1f) != 1f || floatAttr(n, "beta", 1f) != 1f
                        || d.length != 2) {
                    throw bad(node(n) + ": Gemm is supported as a Linear layer: 2-D weight, transA 0, alpha and "
                            + "beta 1");
                }
                boolean transB = intAttr(n, "transB", 0) != 0;
                linear(n, s, transB ? d[1] : d[0], transB ? d[0] : d[1]);
            }
            case "MatMul" -> {
                int[] s = vector(n, acts);
                long[] d = dims(initializer(n, 1, "weight"));
                if (d.length != 2) {
                    throw bad(node(n) + ": MatMul is supported as a Linear layer with a 2-D weight");
                }
                List<NodeProto> next = consumers.getOrDefault(out, List.of());
                if (next.size() == 1 && next.get(0).getOpType().equals("Add")
                        && activationInputs(next.get(0)).size() == 1) {
                    matMulBias.put(n, next.get(0));
                    biasAdds.add(next.get(0));
                }
                linear(n, s, d[0], d[1]);
            }
            case "Add" -> {
                if (biasAdds.contains(n)) {
                    int[] s = one(n, acts);
                    shapes.put(out, s);
                    union(out, acts.get(0));
                    return;
                }
                if (acts.size() != 2) {
                    throw bad(node(n) + ": Add of a constant is supported only as the bias after MatMul; Add of two "
                            + "computed tensors is a residual addition");
                }
                int[] a = shapes.get(acts.get(0));
                int[] b = shapes.get(acts.get(1));
                if (a[0] != b[0] || a[1] != b[1]) {
                    throw bad(node(n) + ": adds " + text(a) + " and " + text(b) + "; a residual addition needs equal "
                            + "shapes");
                }
                shapes.put(out, a);
                union(out, acts.get(0));
                union(out, acts.get(1));
            }
            default -> throw new IllegalStateException(n.getOpType());
        }
    }

    private void linear(NodeProto n, int[] s, long in, long out) {
        if (in != s[0]) {
            throw bad(node(n) + ": weight reads " + in + " features but its input has " + s[0]);
        }
        if (++linears > 1) {
            throw bad(node(n) + ": a second Linear layer; one Linear layer, the classifier at the end, is supported");
        }
        shapes.put(n.getOutput(0), new int[] {(int) out, -1});
    }

    /**
     * The layers that compute {@code to} from {@code from}: walks back from {@code to} one node at
     * a time; an Add of two branches becomes a residual block whose branches start at their
     * nearest common tensor.
     */
    private List<Layer> chain(String from, String to) {
        List<Layer> reversed = new ArrayList<>();
        String t = to;
        while (!t.equals(from)) {
            if (t.equals(input)) {
                throw bad("tensor " + from + " does not lead to " + to);
            }
            NodeProto n = producer.get(t);
            if (!visited.add(n)) {
                throw bad(node(n) + " is reached twice; only residual additions may join branches");
            }
            requireConsumers(t, n);
            if (n.getOpType().equals("Add") && !biasAdds.contains(n)) {
                List<String> acts = activationInputs(n);
                String fork = fork(acts.get(0), acts.get(1));
                List<Layer> a = chain(fork, acts.get(0));
                List<Layer> b = chain(fork, acts.get(1));
                int forkUses = consumers.getOrDefault(fork, List.of()).size();
                if (forkUses != 2) {
                    throw bad("tensor " + fork + " feeds " + forkUses + " nodes; a residual block's input feeds its "
                            + "two branches only");
                }
                boolean aMain = a.size() >= b.size();
                reversed.add(new Layer.Residual(names.get(n), aMain ? a : b, aMain ? b : a));
                t = fork;
                continue;
            }
            if (biasAdds.contains(n)) {
                t = activationInputs(n).get(0);
                continue;
            }
            Layer l = layer(n);
            if (l != null) { // Flatten and Reshape: the Linear layer flattens its input itself
                reversed.add(l);
            }
            t = activationInputs(n).get(0);
        }
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    /** A tensor inside a chain feeds exactly one node (the fork of a residual block is checked there). */
    private void requireConsumers(String t, NodeProto producerNode) {
        List<NodeProto> uses = consumers.getOrDefault(t, List.of());
        if (uses.size() > 1) {
            List<String> who = new ArrayList<>();
            for (NodeProto u : uses) {
                who.add(names.get(u));
            }
            if (!isFork(t)) {
                throw bad("tensor " + t + " of " + node(producerNode) + " feeds " + who
                        + " outside a residual addition; branches must join in one Add");
            }
        }
    }

    private final Set<String> forks = new HashSet<>();

    private boolean isFork(String t) {
        return forks.contains(t);
    }

    /** The nearest tensor both {@code a} and {@code b} are computed from. */
    private String fork(String a, String b) {
        Set<String> above = new HashSet<>();
        for (String t = a; t != null; t = predecessor(t)) {
            above.add(t);
        }
        for (String t = b; t != null; t = predecessor(t)) {
            if (above.contains(t)) {
                forks.add(t);
                return t;
            }
        }
        throw bad("the branches added into " + a + " and " + b + " do not start from a common tensor");
    }

    /** The tensor one step up the main line from {@code t}: a residual block counts as one step. */
    private String predecessor(String t) {
        if (t.equals(input)) {
            return null;
        }
        NodeProto n = producer.get(t);
        List<String> acts = activationInputs(n);
        if (n.getOpType().equals("Add") && !biasAdds.contains(n)) {
            return fork(acts.get(0), acts.get(1));
        }
        return acts.get(0);
    }

    /** The layer a non-Add node becomes; shapes and groups are known. */
    private Layer layer(NodeProto n) {
        String name = names.get(n);
        String in = activationInputs(n).get(0);
        int[] s = shapes.get(in);
        return switch (n.getOpType()) {
            case "Conv" -> {
                long[] d = dims(initializers.get(n.getInput(1)));
                boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
                int stride = square(n, "strides", 1);
                int pad = pads(n);
                String group = group(n.getOutput(0));
                yield intAttr(n, "group", 1) > 1
                        ? Layer.Conv.depthwise(name, s[0], (int) d[2], stride, pad, bias, group)
                        : new Layer.Conv(name, s[0], (int) d[0], (int) d[2], stride, pad, bias, group);
            }
            case "BatchNormalization" -> new Layer.BatchNorm(name, s[0]);
            case "Relu" -> new Layer.Relu();
            case "Clip" -> new Layer.Relu6();
            case "MaxPool" -> new Layer.MaxPool((int) ints(n, "kernel_shape")[0], square(n, "strides", 1));
            case "AveragePool" -> new Layer.AvgPool((int) ints(n, "kernel_shape")[0], square(n, "strides", 1));
            case "GlobalAveragePool" -> new Layer.GlobalAvgPool();
            case "Flatten", "Reshape" -> null;
            case "Gemm", "MatMul" -> new Layer.Linear(name, s[0], shapes.get(n.getOutput(0))[0],
                    n.getOpType().equals("Gemm") ? n.getInputCount() > 2 && !n.getInput(2).isEmpty()
                            : matMulBias.containsKey(n));
            default -> throw new IllegalStateException(n.getOpType());
        };
    }

    private String group(String tensor) {
        String root = find(tensor);
        if (root.equals(find(input))) {
            throw bad("a residual addition or depthwise convolution over the network's input (tensor " + tensor
                    + ") is not supported");
        }
        return groupName.get(root);
    }

    private String find(String t) {
        String p = parent.getOrDefault(t, t);
        if (p.equals(t)) {
            return t;
        }
        String r = find(p);
        parent.put(t, r);
        return r;
    }

    /** Joins {@code a}'s group with {@code b}'s; the group keeps the name of the earlier convolution. */
    private void union(String a, String b) {
        String ra = find(a);
        String rb = find(b);
        if (!ra.equals(rb)) {
            parent.put(ra, rb);
            Integer oa = groupOrder.get(ra);
            Integer ob = groupOrder.get(rb);
            if (oa != null && (ob == null || oa < ob)) {
                groupName.put(rb, groupName.get(ra));
                groupOrder.put(rb, oa);
            }
        }
    }

    // -- shapes and attributes -------------------------------------------------------------

    private int[] one(NodeProto n, List<String> acts) {
        if (acts.size() != 1) {
            throw bad(node(n) + " reads " + acts.size() + " computed tensors; it should read one");
        }
        int[] s = shapes.get(acts.get(0));
        if (s == null) {
            throw bad(node(n) + " reads tensor " + acts.get(0) + " before it is computed");
        }
        return s;
    }

    private int[] map(NodeProto n, List<String> acts) {
        int[] s = one(n, acts);
        if (s[1] < 1) {
            throw bad(node(n) + " reads a flattened tensor; it needs a feature map");
        }
        return s;
    }

    private int[] vector(NodeProto n, List<String> acts) {
        int[] s = one(n, acts);
        if (s[1] != 0) {
            throw bad(node(n) + " reads a " + text(s) + " map; flatten it first (Flatten or Reshape to 2-D)");
        }
        return s;
    }

    private void same(NodeProto n, List<String> acts, int[] s) {
        shapes.put(n.getOutput(0), s);
        union(n.getOutput(0), acts.get(0));
    }

    private static String text(int[] s) {
        return s[1] > 0 ? s[0] + "x" + s[1] + "x" + s[1] : s[0] + " features";
    }

    private TensorProto initializer(NodeProto n, int index, String what) {
        String name = n.getInputCount() > index ? resolve(n.getInput(index)) : "";
        TensorProto t = initializers.getOrDefault(name, constants.get(name));
        if (t == null) {
            throw bad(node(n) + ": its " + what + (name.isEmpty() ? " is missing" : " " + name
                    + " is computed, not stored; weights must be initializers"));
        }
        return t;
    }

    private TensorProto constantOrInitializer(NodeProto n, int index) {
        return initializer(n, index, "input " + index);
    }

    private float scalar(NodeProto n, int index) {
        if (n.getInputCount() <= index || n.getInput(index).isEmpty()) {
            throw bad(node(n) + ": Clip without a " + (index == 1 ? "min" : "max") + " is not supported; ReLU6, "
                    + "Clip(0, 6), is");
        }
        TensorProto t = constantOrInitializer(n, index);
        float[] v = floats(t);
        if (v.length != 1) {
            throw bad(node(n) + ": Clip bound " + t.getName() + " is not a scalar");
        }
        return v[0];
    }

    private void checkKernelShape(NodeProto n, int k) {
        long[] ks = ints(n, "kernel_shape");
        if (ks != null && (ks.length != 2 || ks[0] != k || ks[1] != k)) {
            throw bad(node(n) + ": kernel_shape " + dimsText(ks) + " disagrees with its " + k + "x" + k + " weight");
        }
    }

    /** Equal padding on every side (auto_pad NOTSET); other padding is named. */
    private int pads(NodeProto n) {
        AttributeProto auto = find(n, "auto_pad");
        if (auto != null && !auto.getS().toStringUtf8().equals("NOTSET") && !auto.getS().toStringUtf8().isEmpty()
                && !auto.getS().toStringUtf8().equals("VALID")) {
            throw bad(node(n) + ": auto_pad " + auto.getS().toStringUtf8() + " is not supported; give explicit pads");
        }
        long[] p = ints(n, "pads");
        if (p == null || auto != null && auto.getS().toStringUtf8().equals("VALID")) {
            return 0;
        }
        for (long v : p) {
            if (v != p[0]) {
                throw bad(node(n) + ": pads " + dimsText(p) + " are not supported; equal padding on every side is");
            }
        }
        return p.length == 0 ? 0 : (int) p[0];
    }

    /** A 2-element attribute with equal values (strides, dilations), or {@code dflt} when absent. */
    private int square(NodeProto n, String attr, int dflt) {
        long[] v = ints(n, attr);
        if (v == null || v.length == 0) {
            return dflt;
        }
        if (v.length != 2 || v[0] != v[1] || v[0] < 1) {
            throw bad(node(n) + ": " + attr + " " + dimsText(v) + " are not supported; equal values for height and "
                    + "width are");
        }
        return (int) v[0];
    }

    private static AttributeProto find(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long[] ints(NodeProto n, String name) {
        AttributeProto a = find(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = find(n, name);
        return a == null ? dflt : a.getI();
    }

    private static float floatAttr(NodeProto n, String name, float dflt) {
        AttributeProto a = find(n, name);
        return a == null ? dflt : a.getF();
    }

    private static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static String dimsText(long[] d) {
        return java.util.Arrays.toString(d);
    }

    /** The values of a small float tensor (a Clip bound). */
    private float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw bad("tensor " + t.getName() + " has data type " + t.getDataType() + "; float is expected");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    /** The values of a small int64 tensor (a Reshape target). */
    private long[] longs(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.INT64_VALUE) {
            throw bad("tensor " + t.getName() + " has data type " + t.getDataType() + "; int64 is expected");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] v = new long[b.remaining() / 8];
            b.asLongBuffer().get(v);
            return v;
        }
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }

    private String node(NodeProto n) {
        String name = n.getName().isEmpty() ? "(unnamed, output " + (n.getOutputCount() > 0 ? n.getOutput(0) : "?")
                + ")" : n.getName();
        return "node " + name + " (" + n.getOpType() + ")";
    }

    private IllegalArgumentException bad(String message) {
        return new IllegalArgumentException(source + ": " + message);
    }
}
