package org.reconvene.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel check: its float64 reference, its verdicts, the fallback it chooses, and the injected defect. */
class KernelCheckTest {

    private String mode;

    @BeforeEach
    void remember() {
        mode = System.getProperty(KernelCheck.PROPERTY);
    }

    @AfterEach
    void restore() {
        Convolutions.injectFault(Convolutions.Fault.NONE);
        if (mode == null) {
            System.clearProperty(KernelCheck.PROPERTY);
        } else {
            System.setProperty(KernelCheck.PROPERTY, mode);
        }
        Engines.recheckKernels();
    }

    /** The Java reference against libtorch's float64 convolution (no oneDNN), odd shapes, stride 2, 1x1. */
    @Test
    void referenceAgreesWithTheEnginesFloat64Convolution() {
        int[][] shapes = {{3, 5, 7, 3, 1, 9}, {2, 6, 4, 1, 2, 8}, {2, 5, 10, 3, 2, 7}, {1, 17, 3, 3, 1, 5}};
        Random r = new Random(1);
        for (int[] s : shapes) {
            int n = s[0], in = s[1], out = s[2], k = s[3], stride = s[4], side = s[5];
            float[] x = values(r, n * in * side * side);
            float[] w = values(r, out * in * k * k);
            int os = ReferenceConv.outSide(side, k, stride, k / 2);
            float[] dy = values(r, n * out * os * os);
            ReferenceConv.Result ref = ReferenceConv.compute(x, w, dy, n, in, out, side, k, stride, k / 2, 1);
            try (NDManager m = NDManager.newBaseManager(); Autograd g = Autograd.enable()) {
                NDArray xs = m.create(x, new Shape(n, in, side, side)).toType(DataType.FLOAT64, false);
                NDArray ws = m.create(w, new Shape(out, in, k, k)).toType(DataType.FLOAT64, false);
                xs.setRequiresGradient(true);
                ws.setRequiresGradient(true);
                NDArray y = Convolutions.conv2d(ConvPath.DEFAULT, xs, ws, null, stride, k / 2, 1, true);
                Autograd.backward(y.mul(m.create(dy, y.getShape()).toType(DataType.FLOAT64, false)));
                assertClose(ref.y(), y.toDoubleArray(), "y " + List.of(s));
                assertClose(ref.dw(), ws.getGradient().toDoubleArray(), "dW");
                assertClose(ref.dx(), xs.getGradient().toDoubleArray(), "dX");
            }
        }
    }

    @Test
    void thisMachineComputesOnAPathTheCheckFoundRight() {
        KernelCheck.Outcome k = Engines.kernels();
        assertNotNull(k.path(), k.summary());
        assertTrue(k.correct(k.path()), k.summary());
        assertEquals(k.path(), Engines.convPath());
        // every shape was checked forward and backward on the chosen path
        assertEquals(KernelCheck.shapes().size(), k.rows().stream().filter(r -> r.path() == k.path()).count());
    }

    /** The simulated defect is caught on exactly the shapes it affects, and the padded path is chosen. */
    @Test
    void anInjectedDefectIsCaughtAndThePaddedPathChosen() {
        // auto, not cleared: the environment (RECONVENE_KERNELS=padded) would force the padded path
        System.setProperty(KernelCheck.PROPERTY, "auto");
        Convolutions.injectFault(Convolutions.Fault.DEFECT);
        KernelCheck.Outcome k = Engines.recheckKernels();
        assertEquals(ConvPath.PADDED, k.path(), k.summary());
        assertEquals(ConvPath.PADDED, Engines.convPath());
        assertFalse(k.correct(ConvPath.DEFAULT));
        assertTrue(k.correct(ConvPath.PADDED));
        for (KernelCheck.Row row : k.rows()) {
            if (row.path() == ConvPath.DEFAULT) {
                KernelCheck.ConvShape s = row.shape();
                boolean affected = s.out() % 16 != 0 || (s.in() > 16 && s.in() % 16 != 0);
                assertEquals(affected, !row.ok(), row.describe());
            }
        }
        assertTrue(k.summary().contains("WRONG") && k.summary().contains("computing on the padded path"), k.summary());
    }

    @Test
    void thePaddedPathCanBeForcedAndABadModeIsRefusedByName() {
        System.setProperty(KernelCheck.PROPERTY, "padded");
        KernelCheck.Outcome k = Engines.recheckKernels();
        assertEquals(ConvPath.PADDED, k.path());
        assertTrue(k.rows().stream().allMatch(r -> r.path() == ConvPath.PADDED), "padded alone is checked");
        assertEquals("padded", Engines.convPathName());
        System.setProperty(KernelCheck.PROPERTY, "fastest");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, KernelCheck::requestedMode);
        assertTrue(e.getMessage().contains(KernelCheck.PROPERTY) && e.getMessage().contains("fastest"), e.getMessage());
    }

    @Test
    void paddedWidths() {
        assertEquals(16, ConvPath.PADDED.physicalOut(5));
        assertEquals(32, ConvPath.PADDED.physicalOut(20));
        assertEquals(64, ConvPath.PADDED.physicalOut(64));
        assertEquals(5, ConvPath.PADDED.physicalIn(5), "up to one block of input channels is read as it is");
        assertEquals(32, ConvPath.PADDED.physicalIn(20));
        assertEquals(20, ConvPath.DEFAULT.physicalOut(20));
    }

    /** libtorch's warnings (NNPACK, deprecations) are off once the engine has loaded. */
    @Test
    void libtorchWarningsAreOff() {
        Engines.ensureLoaded();
        assertEquals(2, NativeLogging.threshold(), "c10's log threshold is 'error'");
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-9 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }
}
