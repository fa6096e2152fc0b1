package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.reconvene.engine.Autograd;
import org.reconvene.model.NativeArrays;
import org.reconvene.model.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SynFlow (Tanaka et al., 2020): data-free iterative synaptic-flow pruning.
 *
 * <p>Every tensor, BatchNorm statistics included, is replaced by its absolute value; the input
 * is a single all-ones image and {@code R} the sum of the outputs. In round k of n the score of
 * each weight is {@code |w * dR/dw|} computed on the masked absolute weights, and the masks are
 * recomputed at density {@code d^(k/n)} among the weights still kept, so no round revives a
 * pruned weight (which also scores 0). Afterwards the original tensors, signs included, are put
 * back. The returned masks are those of the last round, at the target density.
 *
 * <p>Cost: each round is one forward and backward pass of batch 1 plus a linear-time global
 * selection over all scored weights; scores and masks live in arrays reused across rounds, and
 * masks are updated in place.
 */
public final class SynFlowScorer implements Scorer {

    private static final Logger LOG = LoggerFactory.getLogger(SynFlowScorer.class);

    private final BiConsumer<Integer, Map<String, float[]>> onRound;

    /** The scorer of docs/METHOD.md section 3. */
    public SynFlowScorer() {
        this((k, m) -> {});
    }

    /** A scorer that also hands the masks of every round to {@code onRound} (for inspection). */
    public SynFlowScorer(BiConsumer<Integer, Map<String, float[]>> onRound) {
        this.onRound = onRound;
    }

    @Override
    public String name() {
        return "synflow";
    }

    @Override
    public boolean needsData() {
        return false;
    }

    @Override
    public Scores score(ScoringContext ctx) {
        Network net = ctx.network();
        List<String> weights = ctx.weights();
        int rounds = ctx.settings().synflowRounds();
        Map<String, float[]> masks = new LinkedHashMap<>();
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (String w : weights) {
            int n = Math.toIntExact(net.infos().get(w).size());
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            masks.put(w, ones);
            scores.put(w, new float[n]);
        }
        long flowNanos = 0;
        long selectNanos = 0;
        Map<String, NDArray> originals = new LinkedHashMap<>();
        Map<String, NDArray> absWeights = new LinkedHashMap<>();
        try (NDManager keep = net.manager().newSubManager();
                Autograd off = Autograd.disable()) {
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
            NDArray ones = keep.ones(new Shape(1, net.spec().inputChannels(), size, size), net.dataType());
            try {
                for (int k = 1; k <= rounds; k++) {
                    long t0 = System.nanoTime();
                    round(net, weights, absWeights, k == 1 ? null : masks, ones, scores);
                    long t1 = System.nanoTime();
                    double density = Math.pow(ctx.density(), (double) k / rounds);
                    ctx.masker().selectInto(scores, masks, density, masks);
                    selectNanos += System.nanoTime() - t1;
                    flowNanos += t1 - t0;
                    onRound.accept(k, masks);
                }
            } finally {
                for (Map.Entry<String, NDArray> e : originals.entrySet()) {
                    net.replaceTensor(e.getKey(), e.getValue().duplicate());
                }
            }
        }
        LOG.debug("synflow: {} rounds, flow {} ms, selection {} ms", rounds, flowNanos / 1_000_000,
                selectNanos / 1_000_000);
        return new Scores(scores, masks);
    }

    /** One round: scores[w] = |w * dR/dw| on the masked absolute weights. */
    private static void round(
            Network net, List<String> weights, Map<String, NDArray> absWeights, Map<String, float[]> masks,
            NDArray ones, Map<String, float[]> scores) {
        for (String w : weights) {
            NDArray a = absWeights.get(w);
            NDArray masked;
            if (masks == null) {
                masked = a.duplicate();
            } else {
                // Autograd is off here, so the mask's Java-backed memory is only read by this op.
                try (NDArray mask = net.manager().create(masks.get(w), a.getShape())) {
                    NDArray typed = mask.toType(a.getDataType(), false);
                    masked = a.mul(typed);
                    if (typed != mask) {
                        typed.close();
                    }
                }
            }
            net.replaceTensor(w, masked);
            masked.setRequiresGradient(true);
        }
        try (NDManager step = net.manager().newSubManager()) {
            NDArray x = ones.duplicate();
            x.attach(step);
            try (Autograd on = Autograd.enable()) {
                NDArray r = net.forward(x, false).sum();
                double flow = r.toType(DataType.FLOAT64, false).getDouble();
                if (!Double.isFinite(flow)) {
                    throw new IllegalStateException(
                            "SynFlow: R = " + flow + "; the network is too deep for its element type");
                }
                Autograd.backward(r);
            }
            for (String w : weights) {
                NDArray p = net.tensor(w);
                try (NDArray g = p.getGradient();
                        NDArray gw = g.mul(p);
                        NDArray s = gw.abs()) {
                    NativeArrays.copyTo(s, scores.get(w));
                }
                p.setRequiresGradient(false);
            }
        }
    }
}
