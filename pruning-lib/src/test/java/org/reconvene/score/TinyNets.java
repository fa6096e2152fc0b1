package org.reconvene.score;

import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.ImageSplit;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.Layer;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;

/** Small networks and data for numerical checks of the scorers. */
public final class TinyNets {

    /** A bias-free, BatchNorm-free ReLU CNN: conv-relu-conv-relu-avgpool-linear. */
    public static final String PLAIN = "test-plain-cnn";

    static {
        Architectures.register(new Architecture() {
            @Override
            public String name() {
                return PLAIN;
            }

            @Override
            public int inputSize() {
                return 8;
            }

            @Override
            public List<String> datasets() {
                return List.of("synthetic");
            }

            @Override
            public ModelSpec defaultSpec(int numClasses, int inputChannels) {
                Map<String, Integer> w = new LinkedHashMap<>();
                w.put("c1", 4);
                w.put("c2", 6);
                return new ModelSpec(PLAIN, numClasses, 8, inputChannels, w);
            }

            @Override
            public List<Layer> build(ModelSpec spec) {
                int a = spec.width("c1");
                int b = spec.width("c2");
                return List.of(
                        new Layer.Conv("c1", 3, a, 3, 1, 1, false, "c1"),
                        new Layer.Relu(),
                        new Layer.Conv("c2", a, b, 3, 2, 1, false, "c2"),
                        new Layer.Relu(),
                        new Layer.GlobalAvgPool(),
                        new Layer.Linear("fc", b, spec.numClasses(), false));
            }
        });
    }

    private TinyNets() {}

    /** The plain CNN with {@code classes} outputs. */
    public static Network plain(int classes, long seed, DataType type) {
        return Network.builder().setSpec(Architectures.get(PLAIN).defaultSpec(classes)).optSeed(seed)
                .optDataType(type).build();
    }

    /** ResNet-20's graph (BN, residual groups) with every width 4 on 8x8 input. */
    public static Network narrowResNet(int classes, long seed, DataType type) {
        ModelSpec full = Architectures.get("resnet20").defaultSpec(classes);
        Map<String, Integer> w = new LinkedHashMap<>();
        full.widths().keySet().forEach(k -> w.put(k, 4));
        ModelSpec spec = new ModelSpec("resnet20", classes, 8, 3, w);
        return Network.builder().setSpec(spec).optSeed(seed).optDataType(type).build();
    }

    /** Random 8x8 images with balanced labels. */
    public static ImageDataset data(int classes, int perClass, long seed) {
        return new ImageDataset("synthetic", names(classes), split(classes, perClass, seed),
                split(classes, 2, seed + 1), "mem:tiny");
    }

    private static List<String> names(int classes) {
        String[] n = new String[classes];
        for (int i = 0; i < classes; i++) {
            n[i] = "c" + i;
        }
        return List.of(n);
    }

    private static ImageSplit split(int classes, int perClass, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = classes * perClass;
        byte[] px = new byte[n * 3 * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
        }
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        return new ImageSplit(3, 8, 8, classes, px, y);
    }
}
