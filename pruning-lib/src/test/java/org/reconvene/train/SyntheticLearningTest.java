package org.reconvene.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;

/** A small model learns the generated dataset, read back through the real CIFAR loader. */
class SyntheticLearningTest {

    @Test
    void resnet20LearnsSyntheticDataWellAboveChance(@TempDir Path dir) {
        String uri = dir.resolve("syn").toUri().toString();
        SyntheticImageGenerator.builder()
                .setOutput(uri)
                .optClasses(10)
                .optTrainSize(1500)
                .optTestSize(300)
                .optSeed(3)
                .build()
                .generate();
        ImageDataset data = DatasetLoader.load(uri, "synthetic");
        assertEquals(10, data.numClasses());
        ModelSpec spec = Architectures.get("resnet20").defaultSpec(data.numClasses());
        TrainingConfig cfg =
                TrainingConfig.builder()
                        .optEpochs(3)
                        .optBatchSize(64)
                        .optLearningRate(0.05)
                        .optSchedule(LearningRateSchedule.COSINE)
                        .optSeed(1)
                        .build();
        try (Network net = Network.builder().setSpec(spec).optSeed(1).build()) {
            TrainingResult r = new NetworkTrainer(cfg).train(net, data);
            assertEquals(3, r.history().size());
            // Chance is 0.10; a learnable dataset must be far above it after three short epochs.
            assertTrue(r.top1() > 0.5, "top-1 after training was " + r.top1());
            assertTrue(r.history().get(2).trainLoss() < r.history().get(0).trainLoss(), "training loss falls");
            assertTrue(r.top1Best() >= r.top1());
        }
    }
}
