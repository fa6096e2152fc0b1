package org.reconvene.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reconvene.data.ImageDataset;
import org.reconvene.model.Architectures;
import org.reconvene.model.Network;

/** The trainer's progress: every training and evaluation batch counted once, in order, up to the total. */
class TrainingProgressTest {

    @Test
    void everyBatchIsCountedOnceUpToTheTotal() {
        ImageDataset data = TrainingTest.colourDataset(100, 40, 2);
        TrainingConfig config = TrainingConfig.builder().optEpochs(2).optBatchSize(32).optEvalBatchSize(16).optSeed(1)
                .build();
        List<long[]> seen = new ArrayList<>();
        try (Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(3)).optSeed(1).build()) {
            new NetworkTrainer(config).onProgress((d, t) -> seen.add(new long[] {d, t})).train(net, data);
        }
        // 2 epochs of ceil(100/32) = 4 training and ceil(40/16) = 3 evaluation batches.
        long total = 2 * (4 + 3);
        assertEquals(total, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i + 1, seen.get(i)[0], "update " + i);
            assertEquals(total, seen.get(i)[1]);
        }
        assertTrue(seen.get(seen.size() - 1)[0] == total);
    }
}
