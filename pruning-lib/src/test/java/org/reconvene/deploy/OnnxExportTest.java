package org.reconvene.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Architectures;
import org.reconvene.model.ImportedArchitecture;
import org.reconvene.model.OnnxFixtures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;
import org.reconvene.prune.PrunedNetwork;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;

/**
 * Exported files run in ONNX Runtime give the network's own logits, for every model of the zoo
 * and every method; masked zeros stay exactly zero; metadata round-trips; bad files are named.
 */
class OnnxExportTest {

    /** Float rounding of the BatchNorm fold and of two engines' kernels, relative to the logits' scale. */
    private static final double RTOL = 1e-3;
    /** The zoo as shipped (tests elsewhere may register more). */
    private static final List<String> ZOO =
            List.of("vgg11", "vgg13", "vgg16", "vgg19", "resnet20", "resnet32", "resnet56", "resnet18", "mobilenetv2");
    private static final String[] METHODS = {"dense", "upai", "spai-random", "spai-l1", "spai-layerwise", "reconvene"};

    @Test
    void everyModelAndMethodGivesTheNetworksLogitsInOnnxRuntime() {
        List<String> checked = new ArrayList<>();
        for (String arch : ZOO) {
            ModelSpec spec = Architectures.get(arch).defaultSpec(10);
            for (String method : METHODS) {
                try (PrunedNetwork p = prune(spec, method)) {
                    Network net = p.network();
                    randomizeBatchNorm(net, 7);
                    int c = spec.inputChannels();
                    int side = spec.inputSize();
                    InputTransform t = new InputTransform(channelValues(c, 0.45f, 0.05f), channelValues(c, 0.25f, 0.02f),
                            side);
                    double err = maxRelativeError(net, t, 3, 11);
                    assertTrue(err <= RTOL, arch + " " + method + ": relative error " + err);
                    checked.add(arch + "/" + method);
                }
            }
        }
        assertEquals(ZOO.size() * METHODS.length, checked.size());
        assertTrue(Architectures.all().stream().map(a -> a.name()).toList().containsAll(ZOO));
    }

    /**
     * Networks imported from ONNX: every method's export gives the network's logits, and keeps the
     * original file's input and output names.
     */
    @Test
    void everyImportedNetworkAndMethodGivesTheNetworksLogitsUnderItsOwnNames() {
        List<String> checked = new ArrayList<>();
        for (String fixture : OnnxFixtures.NETWORKS) {
            ImportedArchitecture a = (ImportedArchitecture) Architectures.get(OnnxFixtures.file(fixture).toString());
            ModelSpec spec = a.defaultSpec(10, 1);
            for (String method : METHODS) {
                try (PrunedNetwork p = prune(spec, method)) {
                    Network net = p.network();
                    randomizeBatchNorm(net, 5);
                    InputTransform t = new InputTransform(new float[] {0.3f}, new float[] {0.4f}, 28);
                    double err = maxRelativeError(net, t, 3, 13);
                    assertTrue(err <= RTOL, fixture + " " + method + ": relative error " + err);
                    OnnxModel model = OnnxExport.builder().setNetwork(net).setInput(t).build();
                    try (OrtNetwork ort = OrtNetwork.open(model, 1)) {
                        assertEquals(List.of("image", "scores"), List.of(ort.inputName(), ort.outputName()));
                        assertEquals(List.of(1, 28), List.of(ort.channels(), ort.side()));
                    }
                    checked.add(fixture + "/" + method);
                }
            }
        }
        assertEquals(OnnxFixtures.NETWORKS.size() * METHODS.length, checked.size());
    }

    @Test
    void grayscaleImagesArePaddedAndNormalisedInsideTheGraph() {
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(10, 1);
        try (PrunedNetwork p = prune(spec, "reconvene")) {
            randomizeBatchNorm(p.network(), 3);
            InputTransform t = new InputTransform(new float[] {0.2860f}, new float[] {0.3530f}, 28);
            OnnxModel m = OnnxExport.builder().setNetwork(p.network()).setInput(t).build();
            try (OrtNetwork ort = OrtNetwork.open(m, 1)) {
                assertEquals(28, ort.side(), "the graph takes the images as stored");
                assertEquals(1, ort.channels());
            }
            assertTrue(maxRelativeError(p.network(), t, 2, 5) <= RTOL);
            // The comparison has power: a graph normalising with other statistics is caught.
            InputTransform other = new InputTransform(new float[] {0.3f}, new float[] {0.35f}, 28);
            assertTrue(maxRelativeError(p.network(), t, other, 2, 5) > 10 * RTOL);
        }
    }

    @Test
    void maskedWeightsAreExportedAsExactZeros() {
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(10);
        try (PrunedNetwork p = prune(spec, "upai")) {
            Network net = p.network();
            long masked = 0;
            for (NDArray mask : net.masks().values()) {
                for (float v : mask.toFloatArray()) {
                    masked += v == 0f ? 1 : 0;
                }
            }
            assertTrue(masked > 0);
            OnnxModel m = OnnxExport.builder().setNetwork(net)
                    .setInput(InputTransform.identity(3, spec.inputSize())).build();
            long zeros = 0;
            for (TensorProto init : m.proto().getGraph().getInitializerList()) {
                if (init.getDataType() != TensorProto.DataType.FLOAT.getNumber() || init.getDimsCount() < 2) {
                    continue;
                }
                FloatBuffer b = init.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer();
                while (b.hasRemaining()) {
                    // raw bits 0: +0.0f exactly, never -0.0f
                    zeros += Float.floatToRawIntBits(b.get()) == 0 ? 1 : 0;
                }
            }
            // Every masked weight is a zero of the file; a BatchNorm fold scales but keeps zeros.
            assertTrue(zeros >= masked, zeros + " zeros in the file for " + masked + " masked weights");
            assertTrue(m.gzipBytes() < m.bytes() / 3, "90 % zeros compress: " + m.gzipBytes() + " of " + m.bytes());
        }
    }

    @Test
    void metadataRoundTripsThroughTheFile(@TempDir Path dir) {
        ModelSpec spec = Architectures.get("vgg11").defaultSpec(10);
        try (PrunedNetwork p = prune(spec, "spai-l1")) {
            OnnxModel m = OnnxExport.builder().setNetwork(p.network()).setInput(InputTransform.identity(3, 32))
                    .optMetadata(Map.of("method", "spai-l1", "trial_id", "0123456789abcdef")).build();
            Path f = dir.resolve("sub/model.onnx");
            m.write(f);
            OnnxModel back = OnnxModel.read(f);
            assertEquals(m.bytes(), Files.exists(f) ? back.bytes() : -1);
            Map<String, String> md = back.metadata();
            assertEquals("spai-l1", md.get("method"));
            assertEquals("0123456789abcdef", md.get("trial_id"));
            assertEquals("vgg11", md.get("architecture"));
            assertEquals(Integer.toString(OnnxExport.OPSET), md.get("opset"));
            assertEquals(OnnxExport.OPSET, back.proto().getOpsetImport(0).getVersion());
            for (Map.Entry<String, Integer> w : p.network().spec().widths().entrySet()) {
                assertTrue(md.get("widths").contains(w.getKey() + "=" + w.getValue()), md.get("widths"));
            }
        }
    }

    @Test
    void missingAndForeignFilesAreNamed(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "this is not protobuf \u0000\u0001");
        e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(junk));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
    }

    static PrunedNetwork prune(ModelSpec spec, String method) {
        PruningConfig c = PruningConfig.builder().setMethod(PruningMethod.parse(method)).optSparsity(0.9)
                .optScorer("magnitude").build();
        return PrunedNetwork.builder().setSpec(spec).setConfig(c).setSeed(5).build();
    }

    /** BatchNorm statistics and affine values far from the identity, so the fold has work to do. */
    static void randomizeBatchNorm(Network net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (ParameterInfo p : net.infos().values()) {
            float lo;
            float hi;
            switch (p.role()) {
                case BN_GAMMA -> { lo = 0.5f; hi = 1.5f; }
                case BN_BETA, BN_RUNNING_MEAN -> { lo = -0.3f; hi = 0.3f; }
                case BN_RUNNING_VAR -> { lo = 0.5f; hi = 2f; }
                default -> { continue; }
            }
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = lo + (hi - lo) * (float) r.nextDouble();
            }
            net.tensor(p.name()).set(FloatBuffer.wrap(v));
        }
    }

    private static float[] channelValues(int c, float base, float step) {
        float[] v = new float[c];
        for (int i = 0; i < c; i++) {
            v[i] = base + i * step;
        }
        return v;
    }

    /**
     * Max |ORT - network| over {@code batch} random 8-bit images, relative to the largest logit:
     * the network's side pads and normalises in Java exactly as the loader and sampler do.
     */
    static double maxRelativeError(Network net, InputTransform t, int batch, long seed) {
        return maxRelativeError(net, t, t, batch, seed);
    }

    /** As above, the reference transformed by {@code t} and the graph exported with {@code exported}. */
    static double maxRelativeError(Network net, InputTransform t, InputTransform exported, int batch, long seed) {
        ModelSpec spec = net.spec();
        int c = t.channels();
        int stored = t.storedSide();
        int side = spec.inputSize();
        int before = (side - stored) / 2;
        SplittableRandom r = new SplittableRandom(seed);
        float[] pixels = new float[batch * c * stored * stored];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = r.nextInt(256) / 255f;
        }
        float[] input = new float[batch * c * side * side];
        float[] mean = t.mean();
        float[] std = t.std();
        for (int n = 0; n < batch; n++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        int sy = y - before;
                        int sx = x - before;
                        float px = sy >= 0 && sy < stored && sx >= 0 && sx < stored
                                ? pixels[((n * c + ch) * stored + sy) * stored + sx] : 0f;
                        input[((n * c + ch) * side + y) * side + x] = (px - mean[ch]) / std[ch];
                    }
                }
            }
        }
        float[] expected;
        try (Autograd ignored = Autograd.disable(); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(input, new Shape(batch, c, side, side));
            expected = net.forward(x, false).toFloatArray();
        }
        OnnxModel model = OnnxExport.builder().setNetwork(net).setInput(exported).build();
        float[][] got;
        try (OrtNetwork ort = OrtNetwork.open(model, 1)) {
            got = ort.logits(pixels, batch);
        }
        int classes = spec.numClasses();
        double scale = 1e-6;
        double err = 0;
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < classes; k++) {
                scale = Math.max(scale, Math.abs(expected[n * classes + k]));
                err = Math.max(err, Math.abs(expected[n * classes + k] - got[n][k]));
            }
        }
        return err / scale;
    }
}
