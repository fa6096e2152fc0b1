package org.reconvene.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ResNets of basic blocks: the CIFAR ResNet-20/32/56 (three stages of 16/32/64 channels) and
 * the 64x64 ResNet-18 (four stages of 64..512 channels, 3x3 stride-1 stem, no max-pool).
 *
 * <p>Convolutions have no bias. When a block changes shape its shortcut is a 1x1 convolution
 * with BN; otherwise it is the identity. Names follow the usual layout: {@code stem.conv},
 * {@code layer2.0.conv1}, {@code layer2.0.shortcut.conv}, and so on. All convolutions whose
 * outputs meet at a residual addition (the stem or a stage's first shortcut, and every block's
 * second convolution in that stage) form one channel group, {@code stage1..stageN}: pruning
 * must treat them as one set of channels.
 */
public final class ResNetArchitecture implements Architecture {

    private final String name;
    private final int inputSize;
    private final int[] stageWidths;
    private final int[] blocksPerStage;

    private ResNetArchitecture(
            String name,
            int inputSize,
            int[] stageWidths,
            int[] blocksPerStage) {
        this.name = name;
        this.inputSize = inputSize;
        this.stageWidths = stageWidths;
        this.blocksPerStage = blocksPerStage;
    }

    static ResNetArchitecture cifar(int depth) {
        int n = (depth - 2) / 6;
        return new ResNetArchitecture(
                "resnet" + depth,
                32,
                new int[] {16, 32, 64},
                new int[] {n, n, n});
    }

    static ResNetArchitecture resnet18() {
        return new ResNetArchitecture(
                "resnet18",
                64,
                new int[] {64, 128, 256, 512},
                new int[] {2, 2, 2, 2});
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }


    @Override
    public ModelSpec defaultSpec(int numClasses, int inputChannels) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        widths.put("stem.conv", stageWidths[0]);
        int in = stageWidths[0];
        for (int s = 0; s < stageWidths.length; s++) {
            for (int b = 0; b < blocksPerStage[s]; b++) {
                String block = "layer" + (s + 1) + "." + b;
                widths.put(block + ".conv1", stageWidths[s]);
                widths.put(block + ".conv2", stageWidths[s]);
                if (b == 0 && (s > 0 || in != stageWidths[s])) {
                    widths.put(block + ".shortcut.conv", stageWidths[s]);
                }
                in = stageWidths[s];
            }
        }
        return new ModelSpec(name, numClasses, inputSize, inputChannels, widths);
    }

    @Override
    public List<Layer> build(ModelSpec spec) {
        Map<String, Integer> defaults = defaultSpec(spec.numClasses(), spec.inputChannels()).widths();
        Architectures.checkSpec(this, spec, defaults.keySet());
        List<Layer> layers = new ArrayList<>();
        int stem = Architectures.positiveWidth(spec, "stem.conv");
        layers.add(new Layer.Conv("stem.conv", spec.inputChannels(), stem, 3, 1, 1, false, "stage1"));
        layers.add(new Layer.BatchNorm("stem.bn", stem));
        layers.add(new Layer.Relu());
        int in = stem;
        for (int s = 0; s < stageWidths.length; s++) {
            String group = "stage" + (s + 1);
            for (int b = 0; b < blocksPerStage[s]; b++) {
                String block = "layer" + (s + 1) + "." + b;
                int stride = (b == 0 && s > 0) ? 2 : 1;
                int mid = Architectures.positiveWidth(spec, block + ".conv1");
                int out = Architectures.positiveWidth(spec, block + ".conv2");
                List<Layer> main =
                        List.of(
                                new Layer.Conv(block + ".conv1", in, mid, 3, stride, 1, false,
                                        block + ".conv1"),
                                new Layer.BatchNorm(block + ".bn1", mid),
                                new Layer.Relu(),
                                new Layer.Conv(block + ".conv2", mid, out, 3, 1, 1, false, group),
                                new Layer.BatchNorm(block + ".bn2", out));
                List<Layer> shortcut = List.of();
                String sc = block + ".shortcut.conv";
                if (defaults.containsKey(sc)) {
                    int scOut = Architectures.positiveWidth(spec, sc);
                    if (scOut != out) {
                        throw groupMismatch(spec, group, sc, scOut, block + ".conv2", out);
                    }
                    shortcut =
                            List.of(
                                    new Layer.Conv(sc, in, scOut, 1, stride, 0, false, group),
                                    new Layer.BatchNorm(block + ".shortcut.bn", scOut));
                } else if (in != out) {
                    // Identity shortcut: the block's input channels are the same group as its output.
                    String producer = b == 0 ? "stem.conv" : "layer" + (s + 1) + "." + (b - 1) + ".conv2";
                    throw groupMismatch(spec, group, producer, in, block + ".conv2", out);
                }
                layers.add(new Layer.Residual(block, main, shortcut));
                layers.add(new Layer.Relu());
                in = out;
            }
        }
        layers.add(new Layer.GlobalAvgPool());
        layers.add(new Layer.Linear("fc", in, spec.numClasses(), true));
        return List.copyOf(layers);
    }

    private static IllegalArgumentException groupMismatch(
            ModelSpec spec, String group, String a, int wa, String b, int wb) {
        return new IllegalArgumentException(
                "spec of " + spec.arch() + ": layers '" + a + "' (" + wa + ") and '" + b + "' ("
                        + wb + ") are joined by a residual addition (group " + group
                        + ") and need equal widths");
    }
}
