package org.reconvene.trial;

import java.util.Map;
import org.reconvene.model.Architecture;

/** Class and channel counts of the named datasets, and the check that a model supports one. */
public final class DatasetNames {

    private static final Map<String, Integer> CLASSES =
            Map.of("cifar10", 10, "cifar100", 100, "tinyimagenet", 200, "fashion-mnist", 10, "mnist", 10, "synthetic", 10);

    private DatasetNames() {}

    /** Classes of {@code dataset}; an unknown name is bad input. */
    public static int classes(String dataset) {
        Integer n = CLASSES.get(dataset);
        if (n == null) {
            throw new IllegalArgumentException(
                    "unknown dataset '" + dataset + "'; known: cifar10, cifar100, tinyimagenet, fashion-mnist, mnist, synthetic");
        }
        return n;
    }

    /** Image channels of {@code dataset}: 1 for the grayscale MNIST family, 3 for the others. */
    public static int channels(String dataset) {
        classes(dataset);
        return dataset.equals("fashion-mnist") || dataset.equals("mnist") ? 1 : 3;
    }

    /** Fails unless {@code arch} runs on {@code dataset}. */
    public static void checkSupported(Architecture arch, String dataset) {
        classes(dataset);
        if (!arch.datasets().contains(dataset)) {
            throw new IllegalArgumentException(
                    "model " + arch.name() + " does not support dataset " + dataset + "; it supports "
                            + String.join(", ", arch.datasets()));
        }
    }
}
