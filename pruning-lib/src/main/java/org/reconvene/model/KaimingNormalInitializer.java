package org.reconvene.model;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.reconvene.provenance.Seeds;

/**
 * The models' initializer: Kaiming-normal weights, zero biases, BatchNorm gamma 1 and beta 0,
 * running statistics 0 and 1.
 *
 * <p>Weights are drawn from N(0, 2 / fanIn) (PyTorch's {@code kaiming_normal_} with its default
 * fan-in mode and ReLU gain). Each tensor draws from its own stream, derived from the seed and
 * the tensor's name, so a tensor's values do not depend on the shapes of other layers and a
 * rebuilt layer can be reinitialized alone with its new fan-in.
 */
public final class KaimingNormalInitializer {

    private final long seed;

    /** An initializer whose draws are fixed by {@code seed}. */
    public KaimingNormalInitializer(long seed) {
        this.seed = seed;
    }

    /** Fresh values for the tensor {@code p}, in row-major order. */
    public float[] values(ParameterInfo p) {
        int n = Math.toIntExact(p.size());
        float[] v = new float[n];
        switch (p.role()) {
            case CONV_WEIGHT, DEPTHWISE_WEIGHT, LINEAR_WEIGHT -> {
                SplittableRandom rng =
                        new SplittableRandom(Seeds.derive(seed, Seeds.INIT + "/" + p.name()));
                double std = Math.sqrt(2.0 / p.fanIn());
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (rng.nextGaussian() * std);
                }
            }
            case BN_GAMMA, BN_RUNNING_VAR -> Arrays.fill(v, 1f);
            default -> {
                // biases, beta and running mean start at zero
            }
        }
        return v;
    }
}
