package org.reconvene.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.reconvene.model.Architectures;
import org.reconvene.model.Network;
import org.reconvene.train.TrainStep;
import org.reconvene.train.TrainingConfig;

/**
 * The allocator tuning keeps a training step in memory the process already touched. Counted in
 * page faults, not time, so the check holds on a loaded machine. With glibc's defaults
 * ({@code -Dreconvene.malloc.tune=false}) a ResNet-20 step at batch 32 faulted its activations
 * in anew, 8,000 to 13,000 faults a step here; tuned, 9 to 91.
 */
class NativeAllocatorTest {

    private static final Path STAT = Path.of("/proc/self/stat");

    @Test
    void repeatedTrainingStepsReuseTheirMemory() throws IOException {
        assumeTrue(Files.isReadable(STAT), "needs Linux's /proc/self/stat");
        Engines.ensureLoaded();
        assertTrue(NativeAllocator.isTuned(), "mallopt should be in effect on Linux with glibc");
        int batch = 32;
        long[] faults = new long[6];
        try (NDManager m = NDManager.newBaseManager();
                Network net = Network.builder()
                        .setSpec(Architectures.get("resnet20").defaultSpec(10))
                        .optParentManager(m)
                        .build()) {
            NDArray x = m.randomNormal(new Shape(batch, 3, 32, 32));
            NDArray y = m.arange(0f, batch).mod(10f);
            net.requireGradients(true);
            try (TrainStep step = new TrainStep(net, TrainingConfig.builder().build())) {
                for (int i = 0; i < faults.length; i++) {
                    try (NDManager stepManager = m.newSubManager()) {
                        stepManager.tempAttachAll(x, y);
                        long before = minorFaults();
                        step.run(x, y, 0.01);
                        faults[i] = minorFaults() - before;
                    }
                }
            }
        }
        // The first steps grow the heap; from the third on, a step should find its memory in place.
        long steady = (faults[3] + faults[4] + faults[5]) / 3;
        // One step's activations alone are about 30 MB, 7,500 pages; allow a tenth of that.
        assertTrue(steady < 750, "a steady training step page-faulted " + steady + " times: "
                + java.util.Arrays.toString(faults));
    }

    /** This process's minor page faults so far (field 10 of /proc/self/stat). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(STAT);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
