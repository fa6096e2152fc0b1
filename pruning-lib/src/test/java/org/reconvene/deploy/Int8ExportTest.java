package org.reconvene.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.OnnxFixtures;
import org.reconvene.prune.PrunedNetwork;

/**
 * The int8 (QDQ) files: ONNX Runtime's int8 logits against the project's float64 reading of the
 * same quantization ({@link OnnxReference}), on full and narrow widths; masked weights exactly 0 in
 * the int8 tensors; ONNX Runtime's integer kernels in the optimised graph.
 */
class Int8ExportTest {

    /** Random 8-bit images, as the file takes them. */
    static float[] pixels(int n, int channels, int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[n * channels * side * side];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextInt(256) / 255f;
        }
        return p;
    }

    static OnnxModel int8(OnnxModel model, int channels, int side) {
        List<float[]> batches = new ArrayList<>();
        for (int b = 0; b < 2; b++) {
            batches.add(pixels(16, channels, side, 100 + b));
        }
        return Int8Export.builder().setModel(model).setCalibration(batches, List.of(16, 16), "2 batches of 16 random images")
                .build();
    }

    /**
     * Each quantized activation and the logits, as ONNX Runtime's integer kernels compute them,
     * against the project's float reading of the same quantization ({@link OnnxReference}) fed the
     * same quantized inputs (ONNX Runtime's own, tensor by tensor). ONNX Runtime requantizes each
     * layer's exact int32 sums with a float32 multiplier ({@code s_x s_w / s_y}) where the reference
     * divides in float64: the two round differently only where a value lies within float32's
     * precision of a half step. That is rare after a convolution; after global average pooling it
     * is not, since a mean of 16 integers often is a half step, and ONNX Runtime breaks such ties
     * its own way (0.4 % of MobileNetV2's pooled values). So every quantized activation agrees
     * within one step in at most 1 % of its elements, and the logits, computed from the same last quantized
     * activations, within 1e-4 of their largest. A wrong scale, zero point, axis or bias shifts
     * most elements by many steps. (End to end, without feeding ONNX Runtime's values back, those
     * rare one-step differences travel through the layers and grow in a random network: 6 % of the
     * largest logit in MobileNetV2, so that comparison would test nothing tightly.)
     */
    @ParameterizedTest
    @CsvSource({"resnet20, dense", "resnet20, reconvene", "resnet20, upai", "vgg11, spai-l1", "mobilenetv2, dense",
        "mobilenetv2, reconvene", "dwresnet, reconvene"})
    void onnxRuntimesInt8ComputationMatchesTheSimulationLayerByLayer(String arch, String method) throws Exception {
        String model = arch.equals("dwresnet") ? OnnxFixtures.file(arch).toString() : arch;
        ModelSpec spec = Architectures.get(model).defaultSpec(10, 1);
        try (PrunedNetwork p = OnnxExportTest.prune(spec, method)) {
            Network net = p.network();
            OnnxExportTest.randomizeBatchNorm(net, 3);
            InputTransform t = new InputTransform(new float[] {0.3f}, new float[] {0.35f}, 28);
            OnnxModel q = int8(OnnxExport.builder().setNetwork(net).setInput(t).build(), 1, 28);
            int n = 4;
            float[] x = pixels(n, 1, 28, 7);
            Map<String, double[]> ort = quantizedTensorsInOrt(q, x, n);
            String logits = q.proto().getGraph().getOutput(0).getName();
            List<String> checked = new ArrayList<>();
            new OnnxReference(q.proto()).all(x, n, ort, (name, mine) -> {
                double[] theirs = ort.get(name);
                if (name.equals(logits)) {
                    double scale = 1e-9;
                    double err = 0;
                    for (int i = 0; i < mine.length; i++) {
                        scale = Math.max(scale, Math.abs(theirs[i]));
                        err = Math.max(err, Math.abs(theirs[i] - mine[i]));
                    }
                    assertTrue(err <= 1e-4 * scale, arch + " " + method + ": logits differ by " + err + " of " + scale);
                } else {
                    int differ = 0;
                    for (int i = 0; i < mine.length; i++) {
                        double d = Math.abs(theirs[i] - mine[i]);
                        assertTrue(d <= 1, arch + " " + method + ": " + name + "[" + i + "] is " + theirs[i]
                                + " in ONNX Runtime and " + mine[i] + " simulated");
                        differ += d > 0 ? 1 : 0;
                    }
                    assertTrue(differ <= 1 + mine.length / 100, arch + " " + method + ": " + name + " differs in "
                            + differ + " of " + mine.length);
                }
                checked.add(name);
            });
            assertTrue(checked.contains(logits));
            assertTrue(checked.size() > 10, "quantized tensors compared: " + checked);
        }
    }

    /** Every quantized activation (QuantizeLinear output) and the logits, computed by ONNX Runtime. */
    private static Map<String, double[]> quantizedTensorsInOrt(OnnxModel q, float[] x, int n) throws Exception {
        ModelProto m = q.proto();
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        List<String> names = new ArrayList<>();
        for (NodeProto node : m.getGraph().getNodeList()) {
            if (node.getOpType().equals("QuantizeLinear")) {
                names.add(node.getOutput(0));
                g.addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName(node.getOutput(0))
                        .setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(
                                ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder()
                                        .setElemType(TensorProto.DataType.UINT8_VALUE))));
            }
        }
        String logits = m.getGraph().getOutput(0).getName();
        Map<String, double[]> out = new java.util.HashMap<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(m.toBuilder().setGraph(g).build().toByteArray(), o);
                ai.onnxruntime.OnnxTensor in = ai.onnxruntime.OnnxTensor.createTensor(env,
                        java.nio.FloatBuffer.wrap(x), new long[] {n, 1, 28, 28});
                OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
            for (String name : names) {
                java.nio.ByteBuffer b = ((ai.onnxruntime.OnnxTensor) r.get(name).orElseThrow()).getByteBuffer();
                double[] v = new double[b.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = b.get(i) & 0xff;
                }
                out.put(name, v);
            }
            java.nio.FloatBuffer f = ((ai.onnxruntime.OnnxTensor) r.get(logits).orElseThrow()).getFloatBuffer();
            double[] v = new double[f.remaining()];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.get(i);
            }
            out.put(logits, v);
        }
        return out;
    }

    @Test
    void maskedWeightsAreZeroInTheInt8TensorsAndIntegerKernelsRun(@TempDir Path dir) throws Exception {
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(10, 1);
        try (PrunedNetwork p = OnnxExportTest.prune(spec, "upai")) {
            Network net = p.network();
            InputTransform t = new InputTransform(new float[] {0.3f}, new float[] {0.35f}, 28);
            OnnxModel f32 = OnnxExport.builder().setNetwork(net).setInput(t).build();
            OnnxModel q = int8(f32, 1, 28);
            ModelProto m = q.proto();
            int checked = 0;
            for (TensorProto w : m.getGraph().getInitializerList()) {
                // the exporter names a weight LAYER.weight_0; its int8 tensor is LAYER.weight_0_q
                if (!w.getName().matches(".*\\.weight_\\d+_q")) {
                    continue;
                }
                assertEquals(TensorProto.DataType.INT8_VALUE, w.getDataType(), w.getName());
                String name = w.getName().replaceAll("_\\d+_q$", "");
                float[] mask = net.masks().get(name).toFloatArray();
                byte[] v = w.getRawData().toByteArray();
                assertEquals(mask.length, v.length);
                for (int i = 0; i < v.length; i++) {
                    if (mask[i] == 0f) {
                        assertEquals(0, v[i], name + "[" + i + "]");
                    }
                }
                checked++;
            }
            assertEquals(net.masks().size(), checked, "every masked layer's weight is int8");
            assertTrue(q.bytes() < f32.bytes() / 3, q.bytes() + " vs " + f32.bytes());
            assertTrue(m.getGraph().getNodeList().stream().anyMatch(nd -> nd.getOpType().equals("QuantizeLinear")));

            // ONNX Runtime's optimiser fuses the QDQ pattern into integer kernels
            Path optimised = dir.resolve("opt.onnx");
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                o.setOptimizedModelFilePath(optimised.toString());
                try (OrtSession s = OrtEnvironment.getEnvironment().createSession(q.toByteArray(), o)) {
                    assertEquals(1, s.getNumInputs());
                }
            }
            ModelProto opt = ModelProto.parseFrom(Files.readAllBytes(optimised));
            long integer = opt.getGraph().getNodeList().stream().map(NodeProto::getOpType)
                    .filter(op -> op.equals("QLinearConv") || op.equals("QLinearAdd") || op.equals("QGemm")).count();
            long floatConvs = opt.getGraph().getNodeList().stream().map(NodeProto::getOpType)
                    .filter(op -> op.equals("Conv") || op.equals("FusedConv")).count();
            assertEquals(0, floatConvs, "every convolution runs on integers");
            assertEquals(21 + 9 + 1, integer, "21 QLinearConv, 9 QLinearAdd, 1 QGemm");
        }
    }

    @Test
    void noCalibrationImagesIsNamed() {
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(10, 1);
        try (Network net = Network.builder().setSpec(spec).optSeed(1).build()) {
            OnnxModel f32 = OnnxExport.builder().setNetwork(net)
                    .setInput(new InputTransform(new float[] {0.3f}, new float[] {0.35f}, 28)).build();
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> Int8Export.builder().setModel(f32).setCalibration(List.of(), List.of(), "none").build())
                    .getMessage();
            assertTrue(msg.contains("calibration"), msg);
        }
    }

    private static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    private static int[] top2(double[] v, int off, int n) {
        int a = 0;
        int b = -1;
        for (int i = 1; i < n; i++) {
            if (v[off + i] > v[off + a]) {
                b = a;
                a = i;
            } else if (b < 0 || v[off + i] > v[off + b]) {
                b = i;
            }
        }
        return new int[] {a, b};
    }
}
