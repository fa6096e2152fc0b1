package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every SynFlow round shares: the network with each tensor (BatchNorm statistics included)
 * replaced by its absolute value, the all-ones input, and the pass that computes {@code dR/dw}
 * for R the sum of the outputs of the linearized network (ReLU6 as ReLU; docs/METHOD.md section 3).
 *
 * <p>Range: R is a sum over every input-output path of the product of the absolute weights along
 * it, which grows with depth. Where R of the unpruned network overflows float32 (MobileNetV2's is
 * about 1e50), every round runs the pass rescaled ({@link Network#forwardLinearized}): powers of
 * two between the top-level layers, which multiply R and every score of the round by one common
 * factor, exactly, and so change no ranking. R only shrinks as weights are pruned, so the first
 * round decides. Where float32 suffices nothing is rescaled, and masks and scores are those of
 * the plain pass bit for bit.
 *
 * <p>Lifecycle: the constructor takes the network over (absolute tensors in place, autograd off
 * on this thread); rounds put their masked absolute weights in with {@link Network#replaceTensor}
 * and call {@link #backward}; {@link #close} puts the original tensors, signs included, back and
 * frees what the pass kept. One thread, one pass at a time.
 */
final class SynFlowPass implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SynFlowPass.class);

    private final Network net;
    private final NDManager keep;
    private final Autograd off;
    private final Map<String, NDArray> originals = new LinkedHashMap<>();
    private final Map<String, NDArray> absWeights = new LinkedHashMap<>();
    private final NDArray ones;
    private final boolean rescaled;

    SynFlowPass(Network net, List<String> weights) {
        this.net = net;
        this.keep = net.manager().newSubManager();
        this.off = Autograd.disable();
        for (Map.Entry<String, NDArray> e : net.tensors().entrySet()) {
            NDArray orig = e.getValue().duplicate();
            orig.attach(keep);
            originals.put(e.getKey(), orig);
            net.replaceTensor(e.getKey(), orig.abs());
        }
        for (String w : weights) {
            NDArray a = net.tensor(w).duplicate();
            a.attach(keep);
            absWeights.put(w, a);
        }
        int size = net.spec().inputSize();
        ones = keep.ones(new Shape(1, net.spec().inputChannels(), size, size), net.dataType());
        double flow = flow(false);
        rescaled = !Double.isFinite(flow);
        if (rescaled) {
            LOG.info("SynFlow: R = {} in {}; every round runs rescaled by powers of two", flow, net.dataType());
        }
    }

    /** R of the network's current tensors, without a gradient. */
    private double flow(boolean rescale) {
        try (NDManager step = net.manager().newSubManager()) {
            NDArray x = ones.duplicate();
            x.attach(step);
            return net.forwardLinearized(x, rescale).sum().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** The unmasked absolute value of weight {@code w}. */
    NDArray abs(String w) {
        return absWeights.get(w);
    }

    /**
     * Forward and backward of R on the network's current tensors; afterwards each weight that
     * requires a gradient holds {@code dR/dw}. Fails when R is not finite.
     */
    void backward() {
        try (NDManager step = net.manager().newSubManager()) {
            NDArray x = ones.duplicate();
            x.attach(step);
            try (Autograd on = Autograd.enable()) {
                NDArray r = net.forwardLinearized(x, rescaled).sum();
                double flow = r.toType(DataType.FLOAT64, false).getDouble();
                if (!Double.isFinite(flow)) {
                    throw new IllegalStateException("SynFlow: R = " + flow + (rescaled ? " rescaled" : "")
                            + "; the network is too deep for its element type");
                }
                Autograd.backward(r);
            }
        }
    }

    @Override
    public void close() {
        try {
            for (Map.Entry<String, NDArray> e : originals.entrySet()) {
                net.replaceTensor(e.getKey(), e.getValue().duplicate());
            }
        } finally {
            keep.close();
            off.close();
        }
    }
}
