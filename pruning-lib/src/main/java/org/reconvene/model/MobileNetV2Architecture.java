package org.reconvene.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MobileNetV2 for 32x32 input (docs/METHOD.md section 6): torchvision's {@code mobilenet_v2} at width
 * 1.0 with the stem and the second stage at stride 1, as the common CIFAR ports have it, and no
 * dropout.
 *
 * <p>A 3x3 stem (32 channels, BatchNorm, ReLU6), then inverted residual blocks: a 1x1 expansion
 * (6 times the block's input, none in the first block), a 3x3 depthwise convolution, a linear 1x1
 * projection, each followed by BatchNorm and all but the projection by ReLU6; a residual addition
 * where the stride is 1 and the widths match. Then a 1x1 convolution to 1280, global average
 * pooling and the classifier. Convolutions have no bias.
 *
 * <p>Groups: the projections of one stage's residual blocks write the channels they are added to,
 * so a stage's output is one group ({@code stageN}); each expansion is a group of its own, which
 * the block's depthwise convolution shares (its channels are its input's). The spec lists the
 * width of every convolution but the depthwise ones, which follow their expansion.
 */
public final class MobileNetV2Architecture implements Architecture {

    /** (expansion t, output channels c, blocks n, stride s) per stage; the CIFAR port's strides. */
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
    };
    private static final int STEM = 32;
    private static final int HEAD = 1280;

    static MobileNetV2Architecture cifar() {
        return new MobileNetV2Architecture();
    }

    private MobileNetV2Architecture() {}

    @Override
    public String name() {
        return "mobilenetv2";
    }

    @Override
    public int inputSize() {
        return 32;
    }

    @Override
    public ModelSpec defaultSpec(int numClasses, int inputChannels) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        widths.put("stem.conv", STEM);
        int in = STEM;
        int block = 0;
        for (int[] st : STAGES) {
            for (int b = 0; b < st[2]; b++, block++) {
                if (st[0] != 1) {
                    widths.put(prefix(block) + ".expand", in * st[0]);
                }
                widths.put(prefix(block) + ".project", st[1]);
                in = st[1];
            }
        }
        widths.put("head.conv", HEAD);
        return new ModelSpec(name(), numClasses, inputSize(), inputChannels, widths);
    }

    private static String prefix(int block) {
        return "blocks." + block;
    }

    @Override
    public List<Layer> build(ModelSpec spec) {
        Map<String, Integer> defaults = defaultSpec(spec.numClasses(), spec.inputChannels()).widths();
        Architectures.checkSpec(this, spec, defaults.keySet());
        List<Layer> layers = new ArrayList<>();
        int stem = Architectures.positiveWidth(spec, "stem.conv");
        String current = "stem";
        layers.add(new Layer.Conv("stem.conv", spec.inputChannels(), stem, 3, 1, 1, false, current));
        layers.add(new Layer.BatchNorm("stem.bn", stem));
        layers.add(new Layer.Relu6());
        int in = stem;
        int block = 0;
        for (int s = 0; s < STAGES.length; s++) {
            int[] st = STAGES[s];
            String stageGroup = "stage" + (s + 1);
            for (int b = 0; b < st[2]; b++, block++) {
                String p = prefix(block);
                int stride = b == 0 ? st[3] : 1;
                boolean residual = stride == 1 && b > 0;
                List<Layer> main = new ArrayList<>();
                int hidden = in;
                String hiddenGroup = current;
                if (st[0] != 1) {
                    hidden = Architectures.positiveWidth(spec, p + ".expand");
                    hiddenGroup = p + ".expand";
                    main.add(new Layer.Conv(p + ".expand", in, hidden, 1, 1, 0, false, hiddenGroup));
                    main.add(new Layer.BatchNorm(p + ".expand_bn", hidden));
                    main.add(new Layer.Relu6());
                }
                main.add(Layer.Conv.depthwise(p + ".dw", hidden, 3, stride, 1, false, hiddenGroup));
                main.add(new Layer.BatchNorm(p + ".dw_bn", hidden));
                main.add(new Layer.Relu6());
                int out = Architectures.positiveWidth(spec, p + ".project");
                main.add(new Layer.Conv(p + ".project", hidden, out, 1, 1, 0, false, stageGroup));
                main.add(new Layer.BatchNorm(p + ".project_bn", out));
                if (residual) {
                    if (in != out) {
                        throw new IllegalArgumentException("spec of " + spec.arch() + ": '" + p + ".project' (" + out
                                + ") is added to its block's input (" + in + "): group " + stageGroup
                                + " needs equal widths");
                    }
                    layers.add(new Layer.Residual(p, main, List.of()));
                } else {
                    layers.addAll(main);
                }
                in = out;
                current = stageGroup;
            }
        }
        int head = Architectures.positiveWidth(spec, "head.conv");
        layers.add(new Layer.Conv("head.conv", in, head, 1, 1, 0, false, "head"));
        layers.add(new Layer.BatchNorm("head.bn", head));
        layers.add(new Layer.Relu6());
        layers.add(new Layer.GlobalAvgPool());
        layers.add(new Layer.Linear("fc", head, spec.numClasses(), true));
        return List.copyOf(layers);
    }
}
