package org.reconvene.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;
import org.reconvene.model.ParameterInfo;

/**
 * Stochastic gradient descent with PyTorch's semantics: weight decay added to the gradient,
 * momentum buffer {@code b = m * b + g} (first step {@code b = g}), optional Nesterov
 * {@code g + m * b}, then {@code w -= lr * update}.
 *
 * <p>DJL's built-in SGD folds the learning rate into the momentum buffer and has no Nesterov
 * variant, which would make results differ from the PyTorch reference runs the paper compares
 * against. One optimizer belongs to one network; its momentum buffers live in a sub-manager of
 * the network's and are freed with {@link #close()}.
 */
public final class SgdOptimizer implements AutoCloseable {

    private final Network net;
    private final TrainingConfig config;
    private final NDManager state;
    private final Map<String, NDArray> buffers = new HashMap<>();

    /** An optimizer for {@code net}'s trainable parameters. */
    public SgdOptimizer(Network net, TrainingConfig config) {
        this.net = net;
        this.config = config;
        this.state = net.manager().newSubManager();
    }

    /** Applies one update with rate {@code lr} from the accumulated gradients, then zeroes them. */
    public void step(double lr) {
        float wd = (float) config.weightDecay();
        float m = (float) config.momentum();
        // Autograd off: DJL's mul(Number) may be used here, as no graph keeps its scalar alive
        // (see NativeArrays for why that matters inside a graph).
        try (Autograd ignored = Autograd.disable()) {
            for (Map.Entry<String, NDArray> e : net.tensors().entrySet()) {
                ParameterInfo info = net.infos().get(e.getKey());
                if (!info.trainable()) {
                    continue;
                }
                NDArray w = e.getValue();
                try (NDArray g = w.getGradient()) {
                    if (wd != 0f) {
                        try (NDArray decay = w.mul(wd)) {
                            g.addi(decay);
                        }
                    }
                    NDArray update = g;
                    if (m != 0f) {
                        NDArray buf = buffers.get(e.getKey());
                        if (buf == null) {
                            buf = g.duplicate();
                            buf.attach(state);
                            buffers.put(e.getKey(), buf);
                        } else {
                            buf.muli(m).addi(g);
                        }
                        if (config.nesterov()) {
                            try (NDArray look = buf.mul(m)) {
                                g.addi(look);
                            }
                        } else {
                            update = buf;
                        }
                    }
                    try (NDArray delta = update.mul((float) lr)) {
                        w.subi(delta);
                    }
                }
                Autograd.zeroGradient(w);
            }
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
