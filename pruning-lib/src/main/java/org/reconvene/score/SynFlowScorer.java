package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.reconvene.mask.ShrinkingMasks;
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
 * <p>Cost, per round: one forward and backward pass at batch 1, one copy of the scores out of the
 * engine, and a selection over the weights still kept only ({@link ShrinkingMasks}), a quarter
 * of all weights on average over 100 rounds to density 0.02. The masks never travel back: the
 * engine applies the round's threshold to its own copy of the scores ({@code w <- w * (s >= t)}),
 * which keeps exactly the weights the selection kept; only where ties at the threshold split
 * within a layer is that layer's mask copied in. {@link ReferenceSynFlowScorer} is the direct
 * implementation this one reproduces bit for bit.
 */
public final class SynFlowScorer implements Scorer {

    private static final Logger LOG = LoggerFactory.getLogger(SynFlowScorer.class);

    private final BiConsumer<Integer, Map<String, float[]>> onRound;
    private final Consumer<SynFlowTiming> onDone;

    /** The scorer of docs/METHOD.md section 3. */
    public SynFlowScorer() {
        this((k, m) -> {}, t -> {});
    }

    /** A scorer that also hands the masks of every round to {@code onRound} (for inspection). */
    public SynFlowScorer(BiConsumer<Integer, Map<String, float[]>> onRound) {
        this(onRound, t -> {});
    }

    /** A scorer that also reports where each run spent its time (benchmarks). */
    public SynFlowScorer(Consumer<SynFlowTiming> onDone) {
        this((k, m) -> {}, onDone);
    }

    private SynFlowScorer(BiConsumer<Integer, Map<String, float[]>> onRound, Consumer<SynFlowTiming> onDone) {
        this.onRound = onRound;
        this.onDone = onDone;
    }

    @Override
    public String name() {
        return "synflow";
    }

    @Override
    public Scores score(ScoringContext ctx) {
        Network net = ctx.network();
        List<String> weights = ctx.weights();
        int rounds = ctx.settings().synflowRounds();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (String w : weights) {
            int n = Math.toIntExact(net.infos().get(w).size());
            sizes.put(w, n);
            scores.put(w, new float[n]);
        }
        ShrinkingMasks shrinking = new ShrinkingMasks(ctx.masker().scope(), sizes);
        Map<String, float[]> masks = shrinking.masks();
        long flowNanos = 0;
        long selectNanos = 0;
        try (SynFlowPass pass = new SynFlowPass(net, weights)) {
            for (String w : weights) {
                net.replaceTensor(w, pass.abs(w).duplicate());
            }
            for (int k = 1; k <= rounds; k++) {
                long t0 = System.nanoTime();
                for (String w : weights) {
                    net.tensor(w).setRequiresGradient(true);
                }
                pass.backward();
                Map<String, NDArray> engineScores = new LinkedHashMap<>();
                try {
                    for (String w : weights) {
                        NDArray p = net.tensor(w);
                        // |g| * p is |g * p| bit for bit: p >= 0, and rounding is sign-symmetric.
                        try (NDArray g = p.getGradient()) {
                            NDArray s = g.abs();
                            s.muli(p);
                            if (s.getDataType() != DataType.FLOAT32) {
                                NDArray f = s.toType(DataType.FLOAT32, false);
                                s.close();
                                s = f;
                            }
                            engineScores.put(w, s);
                            NativeArrays.copyTo(s, scores.get(w));
                        }
                        p.setRequiresGradient(false);
                    }
                    long t1 = System.nanoTime();
                    Map<String, Float> rules = shrinking.reselect(scores, Math.pow(ctx.density(), (double) k / rounds));
                    if (k < rounds) {
                        for (String w : weights) {
                            net.replaceTensor(w, next(net.tensor(w), pass.abs(w), engineScores.get(w),
                                    rules.get(w), masks.get(w)));
                        }
                    }
                    selectNanos += System.nanoTime() - t1;
                    flowNanos += t1 - t0;
                } finally {
                    engineScores.values().forEach(NDArray::close);
                }
                onRound.accept(k, masks);
            }
        }
        SynFlowTiming timing = new SynFlowTiming(rounds, flowNanos / 1_000_000, selectNanos / 1_000_000);
        LOG.debug("synflow: {}", timing);
        onDone.accept(timing);
        return new Scores(scores, masks);
    }

    /**
     * The next round's masked absolute weight: the current one where its score passes the
     * round's rule {@code t}, else 0; with no rule (NaN), the absolute weight times the mask.
     */
    private static NDArray next(NDArray current, NDArray abs, NDArray score, float rule, float[] mask) {
        if (rule == Float.NEGATIVE_INFINITY) {
            return current.duplicate();
        }
        if (Float.isNaN(rule)) {
            try (NDArray m = NativeArrays.create(abs.getManager(), mask, abs.getShape(), abs.getDataType())) {
                return abs.mul(m);
            }
        }
        try (NDArray pass = score.gte(rule)) {
            return current.mul(pass);
        }
    }
}
