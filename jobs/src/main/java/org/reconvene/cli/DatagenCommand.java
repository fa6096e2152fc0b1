package org.reconvene.cli;

import java.util.concurrent.Callable;
import org.reconvene.data.SyntheticImageGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes the learnable synthetic image dataset in the CIFAR-10 or Tiny ImageNet layout. */
@Command(name = "datagen", mixinStandardHelpOptions = true,
        description = "Generate a learnable synthetic image dataset (class-dependent shapes, colours, "
                + "positions and noise): CIFAR-10 binary layout for --size 32, Tiny ImageNet folders for 64.")
final class DatagenCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Output directory or Hadoop URI.")
    String out;

    @Option(names = "--classes", defaultValue = "" + SyntheticImageGenerator.DEFAULT_CLASSES, description = "Number of classes (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--train", defaultValue = "" + SyntheticImageGenerator.DEFAULT_TRAIN, description = "Training images (default ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--test", defaultValue = "" + SyntheticImageGenerator.DEFAULT_TEST, description = "Test images (default ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--size", defaultValue = "" + SyntheticImageGenerator.DEFAULT_SIZE, description = "Image side, 32 or 64 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--difficulty", defaultValue = "0",
            description = {"How hard the classes are to tell apart, 0..1 (default ${DEFAULT-VALUE}, the original task).",
                    "Higher values weaken colour, position and shape cues, add distractor shapes and noise,",
                    "and flip 0.1 * difficulty of the training labels (never test labels)."})
    double difficulty;

    @Option(names = "--overwrite",
            description = "Replace the files of an earlier dataset in --out (default: refuse a non-empty directory).")
    boolean overwrite;

    @Override
    public Integer call() {
        if (!(difficulty >= 0 && difficulty <= 1)) {
            throw new IllegalArgumentException("--difficulty must be in [0, 1], got " + difficulty);
        }
        long t0 = System.nanoTime();
        SyntheticImageGenerator.Result r =
                SyntheticImageGenerator.builder()
                        .setOutput(out)
                        .optClasses(classes)
                        .optTrainSize(train)
                        .optTestSize(test)
                        .optImageSize(size)
                        .optSeed(seed)
                        .optOverwrite(overwrite)
                        .optDifficulty(difficulty)
                        .build()
                        .generate();
        System.out.printf("wrote a %s dataset to %s: %d classes, %,d training and %,d test images of %dx%d, seed %d, "
                + "difficulty %s (%,d training labels flipped), in %d ms%n", r.format().description(), r.uri(),
                r.classes(), r.trainSize(), r.testSize(), r.imageSize(), r.imageSize(), seed,
                TrialText.value(difficulty), r.flippedTrainLabels(), (System.nanoTime() - t0) / 1_000_000);
        return 0;
    }
}
