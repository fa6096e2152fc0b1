package org.reconvene.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reconvene.engine.Autograd;
import org.reconvene.engine.ConvPath;
import org.reconvene.engine.Convolutions;
import org.reconvene.engine.Engines;
import org.reconvene.engine.KernelCheck;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;

/**
 * One training step of ResNet-20 in float32 against the same step in float64 (libtorch's float64
 * convolutions do not use oneDNN): at the widths pruning produces (5/10/20) and at full widths, on
 * the path the kernel check chose and on the forced fallback. The loss, every gradient and the
 * updated BatchNorm statistics agree within 1e-2 relative (the worst measured here: 7e-3, a
 * BatchNorm bias whose gradient is a sum that nearly cancels).
 */
class TrainingStepPrecisionTest {

    private static final double TOLERANCE = 1e-2;

    @AfterEach
    void restore() {
        Convolutions.injectFault(Convolutions.Fault.NONE);
        Engines.recheckKernels();
    }

    @Test
    void narrowAndFullWidthsOnTheChosenPathAndTheFallback() {
        if (ConvPath.PADDED.id().equals(System.getProperty(KernelCheck.PROPERTY))) {
            assertEquals(ConvPath.PADDED, Engines.convPath(), "the forced fallback is what computes");
        }
        for (ModelSpec spec : new ModelSpec[] {narrow(), Architectures.get("resnet20").defaultSpec(10)}) {
            Map<String, double[]> reference = step(spec, DataType.FLOAT64, ConvPath.DEFAULT);
            assertAgree(reference, step(spec, DataType.FLOAT32, null), "chosen path " + Engines.convPathName());
            assertAgree(reference, step(spec, DataType.FLOAT32, ConvPath.PADDED), "forced fallback");
        }
    }

    /** With the kernels' defect simulated, the default path is caught by this comparison and the fallback is not. */
    @Test
    void aDefectiveDefaultPathFailsTheComparisonAndTheFallbackPasses() {
        ModelSpec spec = narrow();
        Map<String, double[]> reference = step(spec, DataType.FLOAT64, ConvPath.DEFAULT);
        Convolutions.injectFault(Convolutions.Fault.DEFECT);
        assertEquals(ConvPath.PADDED, Engines.recheckKernels().path());
        Map<String, double[]> wrong = step(spec, DataType.FLOAT32, ConvPath.DEFAULT);
        assertTrue(worst(reference, wrong) > TOLERANCE, "the simulated defect shows in the gradients");
        assertAgree(reference, step(spec, DataType.FLOAT32, null), "the path chosen under the defect");
    }

    /** ResNet-20 with its three stages 5, 10 and 20 channels wide. */
    private static ModelSpec narrow() {
        ModelSpec full = Architectures.get("resnet20").defaultSpec(10);
        Map<String, Integer> w = new LinkedHashMap<>();
        full.widths().forEach((k, v) -> w.put(k, v == 16 ? 5 : v == 32 ? 10 : 20));
        return full.withWidths(w);
    }

    /**
     * The loss, the gradient of every trainable tensor and the running statistics after one
     * training-mode step from seed 0 on a fixed batch; {@code path} null is the chosen one.
     */
    private static Map<String, double[]> step(ModelSpec spec, DataType type, ConvPath path) {
        Map<String, double[]> out = new LinkedHashMap<>();
        try (Network init = Network.builder().setSpec(spec).optSeed(0).build();
                Network net = Network.builder().setSpec(spec).optValues(init.state()).optDataType(type).build();
                NDManager m = NDManager.newBaseManager();
                Engines.PathScope scope = path == null ? () -> { } : Engines.computeOn(path)) {
            Random r = new Random(7);
            int n = 64;
            float[] xs = new float[n * 3 * 32 * 32];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            float[] ys = new float[n];
            for (int i = 0; i < n; i++) {
                ys[i] = r.nextInt(10);
            }
            NDArray x = m.create(xs, new Shape(n, 3, 32, 32)).toType(type, false);
            NDArray y = m.create(ys).toType(type, false);
            net.requireGradients(true);
            try (Autograd grad = Autograd.enable()) {
                NDArray loss = Losses.crossEntropy(net.forward(x, true), y);
                out.put("loss", new double[] {loss.toType(DataType.FLOAT64, false).getDouble()});
                Autograd.backward(loss);
            }
            net.infos().forEach((name, info) -> {
                NDArray t = net.tensor(name);
                NDArray v = info.trainable() ? t.getGradient() : t;
                out.put(name, v.toType(DataType.FLOAT64, false).toDoubleArray());
            });
            net.requireGradients(false);
        }
        return out;
    }

    private static void assertAgree(Map<String, double[]> reference, Map<String, double[]> actual, String what) {
        assertEquals(reference.keySet(), actual.keySet());
        double worst = worst(reference, actual);
        assertTrue(worst <= TOLERANCE, what + ": worst relative error " + worst);
    }

    /**
     * The largest over tensors of ||a - r|| / ||r|| (Euclidean; infinite for a non-finite value).
     * A norm rather than the largest entry: a ReLU whose input is within rounding of zero passes
     * the gradient in one precision and not the other, which moves a few entries a lot (up to 3 %
     * of the largest entry of a deep layer's weight gradient, measured on full-width ResNet-20,
     * where every kernel was right) and the tensor as a whole little.
     */
    private static double worst(Map<String, double[]> reference, Map<String, double[]> actual) {
        double worst = 0;
        for (Map.Entry<String, double[]> e : reference.entrySet()) {
            double[] ref = e.getValue();
            double[] got = actual.get(e.getKey());
            double d = 0;
            double scale = 0;
            for (int i = 0; i < ref.length; i++) {
                double diff = got[i] - ref[i];
                d += diff * diff;
                scale += ref[i] * ref[i];
            }
            double rel = Double.isFinite(d) ? Math.sqrt(d / Math.max(scale, Double.MIN_NORMAL)) : Double.POSITIVE_INFINITY;
            worst = Math.max(worst, rel);
        }
        return worst;
    }
}
