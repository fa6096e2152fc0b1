package org.reconvene.trial;

import org.reconvene.data.ImageDataset;
import org.reconvene.model.Architecture;
import org.reconvene.model.ModelSpec;

/**
 * The one check that a dataset fits a network (channels, image size, classes), shared by every
 * command and the trial runner so the rule and its message are the same everywhere.
 */
public final class InputFit {

    private InputFit() {}

    /** Fails, naming both, unless {@code ds}'s images and labels are what {@code spec} was built for. */
    public static void check(ModelSpec spec, ImageDataset ds) {
        if (ds.imageSize() != spec.inputSize() || ds.channels() != spec.inputChannels()) {
            throw new IllegalArgumentException(
                    spec.arch() + " takes " + spec.inputChannels() + "x" + spec.inputSize() + "x" + spec.inputSize()
                            + " images but " + ds.sourceUri() + " holds " + ds.channels() + "x" + ds.imageSize() + "x"
                            + ds.imageSize());
        }
        if (ds.numClasses() != spec.numClasses()) {
            throw new IllegalArgumentException(
                    spec.arch() + " has " + spec.numClasses() + " classes but " + ds.sourceUri() + " has "
                            + ds.numClasses());
        }
    }

    /** The unpruned spec of {@code arch} for {@code ds}'s classes, checked to fit its images. */
    public static ModelSpec specFor(Architecture arch, ImageDataset ds) {
        ModelSpec spec = arch.defaultSpec(ds.numClasses(), ds.channels());
        check(spec, ds);
        return spec;
    }
}
