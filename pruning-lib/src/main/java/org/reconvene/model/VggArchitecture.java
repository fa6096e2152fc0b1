package org.reconvene.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CIFAR-style VGG with BatchNorm: stages of 3x3 convolutions (with bias), BN and ReLU, a 2x2
 * max-pool between stages, then a 2x2 average pool and one Linear classifier.
 *
 * <p>With 32x32 input the four max-pools leave 2x2 maps, which the average pool reduces to one
 * value per channel, as in the CIFAR VGGs used by the pruning-at-initialization literature.
 * Convolutions are named {@code conv1..convN} (their BN {@code bn1..bnN}), the classifier
 * {@code fc}; each convolution is its own channel group.
 */
public final class VggArchitecture implements Architecture {

    private final String name;
    private final int[][] stages;

    /** A VGG whose stage {@code i} has the listed convolution widths. */
    public VggArchitecture(String name, int[][] stages) {
        this.name = name;
        this.stages = stages;
    }

    static VggArchitecture vgg11() {
        return new VggArchitecture(
                "vgg11", new int[][] {{64}, {128}, {256, 256}, {512, 512}, {512, 512}});
    }

    static VggArchitecture vgg13() {
        return new VggArchitecture(
                "vgg13",
                new int[][] {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}});
    }

    static VggArchitecture vgg16() {
        return new VggArchitecture(
                "vgg16",
                new int[][] {
                    {64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}
                });
    }

    static VggArchitecture vgg19() {
        return new VggArchitecture(
                "vgg19",
                new int[][] {
                    {64, 64},
                    {128, 128},
                    {256, 256, 256, 256},
                    {512, 512, 512, 512},
                    {512, 512, 512, 512}
                });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputSize() {
        return 32;
    }


    @Override
    public ModelSpec defaultSpec(int numClasses, int inputChannels) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        int i = 1;
        for (int[] stage : stages) {
            for (int w : stage) {
                widths.put("conv" + i++, w);
            }
        }
        return new ModelSpec(name, numClasses, 32, inputChannels, widths);
    }

    @Override
    public List<Layer> build(ModelSpec spec) {
        Architectures.checkSpec(this, spec, defaultSpec(spec.numClasses(), spec.inputChannels()).widths().keySet());
        List<Layer> layers = new ArrayList<>();
        int in = spec.inputChannels();
        int i = 1;
        for (int s = 0; s < stages.length; s++) {
            if (s > 0) {
                layers.add(new Layer.MaxPool(2, 2));
            }
            for (int k = 0; k < stages[s].length; k++, i++) {
                String conv = "conv" + i;
                int out = Architectures.positiveWidth(spec, conv);
                layers.add(new Layer.Conv(conv, in, out, 3, 1, 1, true, conv));
                layers.add(new Layer.BatchNorm("bn" + i, out));
                layers.add(new Layer.Relu());
                in = out;
            }
        }
        layers.add(new Layer.AvgPool(2, 2));
        layers.add(new Layer.Linear("fc", in, spec.numClasses(), true));
        return List.copyOf(layers);
    }
}
