package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reconvene.model.Architectures;
import org.reconvene.model.Network;
import org.reconvene.train.LearningRateSchedule;
import org.reconvene.train.NetworkTrainer;
import org.reconvene.train.TrainingConfig;
import org.reconvene.train.TrainingResult;
import org.reconvene.trial.InputFit;

/**
 * The real Fashion-MNIST files, as Debian's {@code dataset-fashion-mnist} installs them, through
 * the real loader. Skipped where they are not installed, unless {@code RECONVENE_REQUIRE_FASHION_MNIST=1}
 * (CI sets it, so there a missing package fails the build).
 */
class FashionMnistTest {

    static final Path INSTALLED = Path.of(System.getenv().getOrDefault("RECONVENE_FASHION_MNIST",
            "/usr/share/datasets/fashion-mnist"));
    private static ImageDataset ds;

    @BeforeAll
    static void load() {
        boolean present = Files.isRegularFile(INSTALLED.resolve("train-images-idx3-ubyte.gz"))
                || Files.isRegularFile(INSTALLED.resolve("train-images-idx3-ubyte"));
        if (!present && "1".equals(System.getenv("RECONVENE_REQUIRE_FASHION_MNIST"))) {
            throw new AssertionError("Fashion-MNIST is required but not at " + INSTALLED
                    + " (apt-get install dataset-fashion-mnist)");
        }
        assumeTrue(present, "Fashion-MNIST not installed at " + INSTALLED);
        ds = DatasetLoader.load(INSTALLED.toString(), "fashion-mnist");
    }

    @Test
    void theInstalledFilesHoldTheStandardSplitsAndABalancedHistogram() {
        assertEquals(60_000, ds.train().size());
        assertEquals(10_000, ds.test().size());
        assertEquals(1, ds.channels());
        assertEquals(32, ds.imageSize());
        int[] train = new int[10];
        Arrays.fill(train, 6_000);
        int[] test = new int[10];
        Arrays.fill(test, 1_000);
        assertArrayEquals(train, ds.train().classCounts());
        assertArrayEquals(test, ds.test().classCounts());
        // The padding border is zero in every image.
        for (int i = 0; i < 100; i++) {
            byte[] img = ds.train().image(i * 600);
            for (int c = 0; c < 32; c++) {
                assertEquals(0, img[c] | img[32 + c] | img[30 * 32 + c] | img[31 * 32 + c], "border of image " + i);
            }
        }
    }

    @Test
    void resnet20LearnsTheRealTaskWellAboveChance() {
        TrainingConfig config = TrainingConfig.builder().optEpochs(1).optMaxBatchesPerEpoch(300).optBatchSize(64)
                .optLearningRate(0.05).optSchedule(LearningRateSchedule.COSINE).optSeed(0).build();
        try (Network net = Network.builder().setSpec(InputFit.specFor(Architectures.get("resnet20"), ds)).optSeed(0)
                .build()) {
            assertEquals(1, net.spec().inputChannels());
            TrainingResult r = new NetworkTrainer(config).train(net, ds);
            // Chance is 0.10 on the full real test split; 300 batches reach about 0.8.
            assertTrue(r.top1() > 0.6, "top-1 " + r.top1() + " on the real test split");
        }
    }
}
