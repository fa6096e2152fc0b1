package org.reconvene.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.data.ImageDataset;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;

/** A run stopped after a rung, saved and continued gives the weights of the uninterrupted run, bit for bit. */
class CheckpointContinuationTest {

    private static final ModelSpec SPEC = Architectures.get("resnet20").defaultSpec(3);

    private static TrainingConfig config() {
        return TrainingConfig.builder().optEpochs(3).optBatchSize(32).optLearningRate(0.05).optMomentum(0.9)
                .optSchedule(LearningRateSchedule.COSINE).optMaxBatchesPerEpoch(3).optSeed(8).build();
    }

    @Test
    void continuingFromACheckpointEqualsTrainingInOneGo(@TempDir Path dir) throws Exception {
        ImageDataset data = TrainingTest.colourDataset(128, 32, 3);
        Map<String, float[]> oneGo;
        try (Network net = Network.builder().setSpec(SPEC).optSeed(8).build()) {
            new NetworkTrainer(config()).train(net, data);
            oneGo = net.state();
        }
        // Rung 1: one epoch, then a checkpoint on disk.
        try (Network net = Network.builder().setSpec(SPEC).optSeed(8).build()) {
            NetworkTrainer t = new NetworkTrainer(config()).optStopAfter(1);
            TrainingResult r = t.train(net, data);
            assertEquals(1, r.history().size());
            NetworkStore.save(net, dir.resolve("model"));
            t.optimizerState().write(dir.resolve("optimizer.bin"));
            assertFalse(Arrays.equals(oneGo.get("fc.weight"), net.state().get("fc.weight")), "one epoch is not three");
        }
        // Rung 2: a fresh process would load both files and run epochs 2 and 3.
        OptimizerState s = OptimizerState.read(dir.resolve("optimizer.bin"));
        assertEquals(1, s.epochsDone());
        try (Network net = NetworkStore.load(dir.resolve("model"))) {
            TrainingResult r = new NetworkTrainer(config()).optResume(s).train(net, data);
            assertEquals(2, r.history().size());
            assertEquals(2, r.history().get(0).epoch(), "numbered as in the whole run");
            Map<String, float[]> continued = net.state();
            assertEquals(oneGo.keySet(), continued.keySet());
            for (String k : oneGo.keySet()) {
                assertArrayEquals(oneGo.get(k), continued.get(k), k);
            }
        }
    }

    @Test
    void aDamagedStateIsNamed(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("optimizer.bin"), new byte[] {1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptimizerState.read(f));
        assertEquals(true, e.getMessage().contains(f.toString()), e.getMessage());
    }
}
