package org.reconvene.deploy;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/**
 * The ONNX operators a convolutional network needs that Tribuo's {@code ONNXOperators} (written
 * for linear models and trees) lacks, in the form its graph builder takes. All are the opset-13
 * definitions, the opset of every exported file ({@link OnnxExport#OPSET}).
 */
enum OnnxOps implements ONNXOperator {
    CONV("Conv", 2, 1, attr("kernel_shape", AttributeType.INTS, false), attr("strides", AttributeType.INTS, false),
            attr("pads", AttributeType.INTS, false), attr("dilations", AttributeType.INTS, false),
            attr("group", AttributeType.INT, false)),
    BATCH_NORMALIZATION("BatchNormalization", 5, 0, attr("epsilon", AttributeType.FLOAT, false),
            attr("momentum", AttributeType.FLOAT, false)),
    RELU("Relu", 1, 0),
    /** Opset 13: min and max are optional scalar inputs. */
    CLIP("Clip", 1, 2),
    MAX_POOL("MaxPool", 1, 0, attr("kernel_shape", AttributeType.INTS, true), attr("strides", AttributeType.INTS, false),
            attr("pads", AttributeType.INTS, false)),
    AVERAGE_POOL("AveragePool", 1, 0, attr("kernel_shape", AttributeType.INTS, true),
            attr("strides", AttributeType.INTS, false), attr("pads", AttributeType.INTS, false),
            attr("count_include_pad", AttributeType.INT, false)),
    GLOBAL_AVERAGE_POOL("GlobalAveragePool", 1, 0),
    FLATTEN("Flatten", 1, 0, attr("axis", AttributeType.INT, false)),
    /** Opset 13: the pads are an int64 input, the constant an optional input. */
    PAD("Pad", 2, 1, attr("mode", AttributeType.STRING, false));

    private final String name;
    private final int inputs;
    private final int optionalInputs;
    private final Map<String, ONNXAttribute> attributes;

    OnnxOps(String name, int inputs, int optionalInputs, ONNXAttribute... attributes) {
        this.name = name;
        this.inputs = inputs;
        this.optionalInputs = optionalInputs;
        Map<String, ONNXAttribute> m = new LinkedHashMap<>();
        for (ONNXAttribute a : attributes) {
            m.put(a.getName(), a);
        }
        this.attributes = Collections.unmodifiableMap(m);
    }

    private static ONNXAttribute attr(String name, AttributeType type, boolean mandatory) {
        return new ONNXAttribute(name, type, mandatory);
    }

    @Override
    public String getOpName() {
        return name;
    }

    @Override
    public int getNumInputs() {
        return inputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return optionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return attributes.values().stream().filter(ONNXAttribute::isMandatory).map(ONNXAttribute::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public int getOpVersion() {
        return OnnxExport.OPSET;
    }

    /** The default domain (null, as Tribuo's operators): the graph imports only opset "" {@link OnnxExport#OPSET}. */
    @Override
    public String getOpDomain() {
        return null;
    }
}
