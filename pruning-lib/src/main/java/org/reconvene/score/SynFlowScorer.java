package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.engine.Autograd;
import org.reconvene.model.Network;

/**
 * SynFlow (Tanaka et al., 2020): data-free iterative synaptic-flow pruning.
 *
 * <p>Every tensor, BatchNorm statistics included, is replaced by its absolute value; the input
 * is a single all-ones image and {@code R} the sum of the outputs. In round k of n the score of
 * each weight is {@code |w * dR/dw|} computed on the masked absolute weights, and the masks are
 * recomputed at density {@code d^(k/n)}. A pruned weight scores 0 and is never selected again
 * (it is offered to the masker as -Infinity), so no round revives it. Afterwards the original
 * tensors, signs included, are put back. The returned masks are those of the last round, at the
 * target density.
 */
public final class SynFlowScorer implements Scorer {

    private final java.util.function.BiConsumer<Integer, Map<String, float[]>> onRound;

    /** The scorer of METHOD.md section 3. */
    public SynFlowScorer() {
        this((k, m) -> {});
    }

    /** A scorer that also hands the masks of every round to {@code onRound} (for inspection). */
    public SynFlowScorer(java.util.function.BiConsumer<Integer, Map<String, float[]>> onRound) {
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
        Map<String, NDArray> originals = new LinkedHashMap<>();
        Map<String, NDArray> absWeights = new LinkedHashMap<>();
        Map<String, float[]> masks = new LinkedHashMap<>();
        Map<String, float[]> scores = new LinkedHashMap<>();
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
                masks.put(w, null);
            }
            int size = net.spec().inputSize();
            NDArray ones = keep.ones(new Shape(1, net.spec().inputChannels(), size, size), net.dataType());
            try {
                for (int k = 1; k <= rounds; k++) {
                    scores = round(net, weights, absWeights, masks, ones);
                    Map<String, float[]> selectable = new LinkedHashMap<>();
                    for (String w : weights) {
                        float[] s = scores.get(w);
                        float[] m = masks.get(w);
                        float[] sel = s.clone();
                        if (m != null) {
                            for (int i = 0; i < sel.length; i++) {
                                if (m[i] == 0f) {
                                    sel[i] = Float.NEGATIVE_INFINITY;
                                }
                            }
                        }
                        selectable.put(w, sel);
                    }
                    double density = Math.pow(ctx.density(), (double) k / rounds);
                    masks = ctx.masker().select(selectable, density);
                    onRound.accept(k, masks);
                }
            } finally {
                for (Map.Entry<String, NDArray> e : originals.entrySet()) {
                    net.replaceTensor(e.getKey(), e.getValue().duplicate());
                }
            }
        }
        return new Scores(scores, masks);
    }

    /** One round: |w * dR/dw| on the masked absolute weights. */
    private static Map<String, float[]> round(
            Network net, List<String> weights, Map<String, NDArray> absWeights, Map<String, float[]> masks,
            NDArray ones) {
        for (String w : weights) {
            NDArray a = absWeights.get(w);
            float[] m = masks.get(w);
            NDArray masked;
            if (m == null) {
                masked = a.duplicate();
            } else {
                try (NDArray mask = net.manager().create(m, a.getShape())) {
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
        Map<String, float[]> scores = new LinkedHashMap<>();
        try (NDManager step = net.manager().newSubManager()) {
            NDArray x = ones.duplicate();
            x.attach(step);
            try (Autograd on = Autograd.enable()) {
                NDArray r = net.forward(x, false).sum();
                if (!Float.isFinite(r.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat())) {
                    throw new IllegalStateException(
                            "SynFlow: R overflowed (" + r + "); the network is too deep for its element type");
                }
                Autograd.backward(r);
            }
            for (String w : weights) {
                NDArray p = net.tensor(w);
                try (NDArray g = p.getGradient();
                        NDArray s = g.mul(p).abs();
                        NDArray f = s.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
                    scores.put(w, f.toFloatArray());
                }
                p.setRequiresGradient(false);
            }
        }
        return scores;
    }
}
