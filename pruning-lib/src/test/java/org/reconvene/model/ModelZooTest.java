package org.reconvene.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.reconvene.engine.Autograd;
import org.reconvene.metrics.LayerProfile;

/**
 * Parameter and MAC counts of every model against values derived without the code under test:
 * published counts where they exist and layer-by-layer arithmetic written out here.
 */
class ModelZooTest {

    /** out*in*k*k*hw*hw for a conv; the test's own arithmetic. */
    private static long convMacs(long in, long out, long k, long hw) {
        return out * in * k * k * hw * hw;
    }

    @Test
    void vgg16Cifar10MatchesPublishedCount() {
        // The CIFAR VGG-16-BN with one Linear classifier is widely reported at 14,728,266 params.
        LayerProfile p = profile("vgg16", 10);
        assertEquals(14_728_266L, p.params());
        long macs =
                convMacs(3, 64, 3, 32) + convMacs(64, 64, 3, 32)
                        + convMacs(64, 128, 3, 16) + convMacs(128, 128, 3, 16)
                        + convMacs(128, 256, 3, 8) + 2 * convMacs(256, 256, 3, 8)
                        + convMacs(256, 512, 3, 4) + 2 * convMacs(512, 512, 3, 4)
                        + 3 * convMacs(512, 512, 3, 2)
                        + 512 * 10;
        assertEquals(313_201_664L, macs); // ~313 M, as the issue states
        assertEquals(macs, p.macs());
    }

    @Test
    void resnet20Cifar10MatchesHandCount() {
        // ResNet-20 with 1x1 projection shortcuts: 269,722 (identity-padding variant) + the two
        // projections with their BN: 16*32 + 2*32 + 32*64 + 2*64.
        LayerProfile p = profile("resnet20", 10);
        assertEquals(269_722L + 512 + 64 + 2048 + 128, p.params());
        long macs =
                convMacs(3, 16, 3, 32)
                        + 6 * convMacs(16, 16, 3, 32)
                        + convMacs(16, 32, 3, 16) + 5 * convMacs(32, 32, 3, 16) + convMacs(16, 32, 1, 16)
                        + convMacs(32, 64, 3, 8) + 5 * convMacs(64, 64, 3, 8) + convMacs(32, 64, 1, 8)
                        + 64 * 10;
        assertEquals(macs, p.macs());
        assertEquals(41, Math.round(macs / 1e6));
    }

    @Test
    void resnet18TinyImageNetMatchesTorchvisionAdjusted() {
        // torchvision's ResNet-18 has 11,689,512 params with a 7x7 stem and 1000 classes; the
        // 64x64 variant has a 3x3 stem (1,728 instead of 9,408) and 200 classes.
        LayerProfile p = profile("resnet18", 200);
        assertEquals(11_689_512L - 9_408 + 1_728 - (512 * 1000 + 1000) + (512 * 200 + 200), p.params());
        long macs =
                convMacs(3, 64, 3, 64)
                        + 4 * convMacs(64, 64, 3, 64)
                        + convMacs(64, 128, 3, 32) + 3 * convMacs(128, 128, 3, 32) + convMacs(64, 128, 1, 32)
                        + convMacs(128, 256, 3, 16) + 3 * convMacs(256, 256, 3, 16) + convMacs(128, 256, 1, 16)
                        + convMacs(256, 512, 3, 8) + 3 * convMacs(512, 512, 3, 8) + convMacs(256, 512, 1, 8)
                        + 512 * 200;
        assertEquals(macs, p.macs());
    }

    /** Every model against a generic formula written from docs/METHOD.md, independent of the builders. */
    @ParameterizedTest
    @CsvSource({
        "vgg11, 10", "vgg13, 100", "vgg16, 100", "vgg19, 10",
        "resnet20, 100", "resnet32, 10", "resnet56, 10", "resnet18, 10"
    })
    void everyModelMatchesFormula(String arch, int classes) {
        long[] expected = arch.startsWith("vgg") ? vggFormula(arch, classes) : resnetFormula(arch, classes);
        LayerProfile p = profile(arch, classes);
        assertEquals(expected[0], p.params(), "params of " + arch);
        assertEquals(expected[1], p.macs(), "MACs of " + arch);
    }

    private static long[] vggFormula(String arch, int classes) {
        int[][] cfg =
                switch (arch) {
                    case "vgg11" -> new int[][] {{64}, {128}, {256, 256}, {512, 512}, {512, 512}};
                    case "vgg13" -> new int[][] {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}};
                    case "vgg16" -> new int[][] {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
                    default -> new int[][] {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512}, {512, 512, 512, 512}};
                };
        long params = 0;
        long macs = 0;
        int in = 3;
        int hw = 32;
        for (int s = 0; s < cfg.length; s++) {
            for (int out : cfg[s]) {
                params += (long) in * out * 9 + out + 2L * out; // weight, bias, BN gamma+beta
                macs += convMacs(in, out, 3, hw);
                in = out;
            }
            if (s < cfg.length - 1) {
                hw /= 2;
            }
        }
        params += (long) in * classes + classes;
        macs += (long) in * classes;
        return new long[] {params, macs};
    }

    private static long[] resnetFormula(String arch, int classes) {
        boolean big = arch.equals("resnet18");
        int[] widths = big ? new int[] {64, 128, 256, 512} : new int[] {16, 32, 64};
        int n = big ? 2 : (Integer.parseInt(arch.substring(6)) - 2) / 6;
        int hw = big ? 64 : 32;
        long params = 27L * widths[0] + 2L * widths[0];
        long macs = convMacs(3, widths[0], 3, hw);
        int in = widths[0];
        for (int s = 0; s < widths.length; s++) {
            int w = widths[s];
            for (int b = 0; b < n; b++) {
                if (b == 0 && s > 0) {
                    hw /= 2;
                    params += (long) in * w + 2L * w; // projection + BN
                    macs += convMacs(in, w, 1, hw);
                }
                params += 9L * in * w + 2L * w + 9L * w * w + 2L * w;
                macs += convMacs(in, w, 3, hw) + convMacs(w, w, 3, hw);
                in = w;
            }
        }
        params += (long) in * classes + classes;
        macs += (long) in * classes;
        return new long[] {params, macs};
    }

    /**
     * MobileNetV2 for 32x32 input written out from torchvision's stage table (t, c, n, s) with the
     * CIFAR strides; METHOD.md section 6 states the counts for 10 classes and 3 channels.
     */
    @ParameterizedTest
    @CsvSource({"10, 3", "10, 1", "100, 3"})
    void mobilenetv2MatchesItsStageTable(int classes, int channels) {
        int[][] stages = {{1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2},
            {6, 320, 1, 1}};
        int hw = 32;
        long params = 9L * channels * 32 + 2 * 32;
        long macs = convMacs(channels, 32, 3, hw);
        int in = 32;
        for (int[] st : stages) {
            for (int b = 0; b < st[2]; b++) {
                int hidden = in * st[0];
                if (st[0] != 1) {
                    params += (long) in * hidden + 2L * hidden;
                    macs += convMacs(in, hidden, 1, hw);
                }
                hw /= b == 0 ? st[3] : 1;
                params += 9L * hidden + 2L * hidden; // depthwise: one 3x3 filter per channel
                macs += 9L * hidden * hw * hw;
                params += (long) hidden * st[1] + 2L * st[1];
                macs += convMacs(hidden, st[1], 1, hw);
                in = st[1];
            }
        }
        params += 320L * 1280 + 2 * 1280 + 1280L * classes + classes;
        macs += convMacs(320, 1280, 1, hw) + 1280L * classes;
        ModelSpec spec = Architectures.get("mobilenetv2").defaultSpec(classes, channels);
        LayerProfile p = LayerProfile.of(spec, Architectures.build(spec));
        assertEquals(params, p.params());
        assertEquals(macs, p.macs());
        if (classes == 10 && channels == 3) {
            assertEquals(2_236_682L, p.params()); // METHOD.md section 6
            assertEquals(87_976_448L, p.macs());
        }
    }

    @Test
    void builtTensorsHaveTheProfiledSizesAndForwardGivesLogits() {
        for (String arch : new String[] {"vgg11", "resnet20", "mobilenetv2"}) {
            ModelSpec spec = Architectures.get(arch).defaultSpec(10);
            try (Network net = Network.builder().setSpec(spec).optSeed(1).build();
                    NDManager m = NDManager.newBaseManager();
                    Autograd ignored = Autograd.disable()) {
                long trainable = 0;
                for (Map.Entry<String, NDArray> e : net.tensors().entrySet()) {
                    ParameterInfo info = net.infos().get(e.getKey());
                    assertEquals(new Shape(info.shape()), e.getValue().getShape(), e.getKey());
                    if (info.trainable()) {
                        trainable += e.getValue().size();
                    }
                }
                assertEquals(LayerProfile.of(spec, net.layers()).params(), trainable, arch);
                NDArray y = net.forward(m.randomNormal(new Shape(2, 3, 32, 32)), false);
                assertEquals(new Shape(2, 10), y.getShape());
                assertTrue(Float.isFinite(y.sum().getFloat()));
            }
        }
    }

    @Test
    void kaimingInitHasFanInVarianceAndIsSeeded() {
        ModelSpec spec = Architectures.get("vgg11").defaultSpec(10);
        try (Network a = Network.builder().setSpec(spec).optSeed(7).build();
                Network b = Network.builder().setSpec(spec).optSeed(7).build();
                Network c = Network.builder().setSpec(spec).optSeed(8).build()) {
            float[] w = a.tensor("conv5.weight").toFloatArray(); // 512 x 256 x 3 x 3
            double var = 0;
            for (float v : w) {
                var += (double) v * v;
            }
            var /= w.length;
            double expected = 2.0 / (256 * 9);
            assertEquals(expected, var, expected * 0.02);
            assertEquals(a.tensor("conv5.weight").toFloatArray()[123], b.tensor("conv5.weight").toFloatArray()[123]);
            assertTrue(a.tensor("conv5.weight").toFloatArray()[123] != c.tensor("conv5.weight").toFloatArray()[123]);
            assertEquals(1f, a.tensor("bn3.weight").toFloatArray()[0]);
            assertEquals(0f, a.tensor("conv3.bias").toFloatArray()[5]);
        }
    }

    @Test
    void narrowerSpecBuildsAndResidualGroupsMustAgree() {
        Architecture r20 = Architectures.get("resnet20");
        ModelSpec narrow = r20.defaultSpec(10).withWidths(Map.of("layer1.0.conv1", 5, "layer3.2.conv1", 7));
        LayerProfile p = LayerProfile.of(narrow, r20.build(narrow));
        assertEquals(5, p.row("layer1.0.conv1").outChannels());
        assertEquals(5, p.row("layer1.0.conv2").inChannels());
        ModelSpec broken = r20.defaultSpec(10).withWidths(Map.of("layer2.1.conv2", 31));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r20.build(broken));
        assertTrue(e.getMessage().contains("layer2.1.conv2"), e.getMessage());
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> Architectures.get("vgg17"));
        assertTrue(unknown.getMessage().contains("vgg16"), unknown.getMessage());
    }

    private static LayerProfile profile(String arch, int classes) {
        ModelSpec spec = Architectures.get(arch).defaultSpec(classes);
        return LayerProfile.of(spec, Architectures.build(spec));
    }
}
