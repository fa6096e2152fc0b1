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
 * <p>Cost, per round: one forward and backward pass at batch 1; on the engine, the signed score
 * {@code g * p} written into the gradient in place ({@code |g * p| = |g| * p} bit for bit, p being
 * non-negative) and its sum, whose finiteness proves no score NaN so the selection skips its own
 * scan; one copy of the scores out of the engine; and a selection over the weights still kept
 * only ({@link ShrinkingMasks}, by magnitude, so no absolute values are materialised), a quarter
 * of all weights on average over 100 rounds to density 0.02. The masks never travel back: the
 * selection returns the few per cent of entries each round dropped, and the engine zeroes just
 * those in a fresh copy of the masked weight ({@code put}), which equals {@code |w| * mask} bit
 * for bit. The absolute values of the final scores are taken once, in Java, after the last round.
 * {@link ReferenceSynFlowScorer} is the direct implementation this one reproduces bit for bit;
 * docs/PERFORMANCE.md has the phase figures behind each choice.
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
        long passNanos = 0;
        long scoreNanos = 0;
        long selectNanos = 0;
        long applyNanos = 0;
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
                long t1 = System.nanoTime();
                boolean finite = true;
                for (String w : weights) {
                    NDArray p = net.tensor(w);
                    // The score is |g * p|; its sign is dropped by the selection and, once, at the end.
                    try (NDArray g = p.getGradient()) {
                        g.muli(p);
                        // A finite sum proves every score finite; an infinite one sends the
                        // selection to its own scan for NaN (infinite scores are legal).
                        try (NDArray sum = g.sum()) {
                            finite &= Double.isFinite(sum.toType(DataType.FLOAT64, false).getDouble());
                        }
                        NativeArrays.copyTo(g, scores.get(w));
                    }
                    p.setRequiresGradient(false);
                }
                long t2 = System.nanoTime();
                Map<String, int[]> dropped = shrinking.reselectByMagnitude(scores,
                        Math.pow(ctx.density(), (double) k / rounds), finite);
                long t3 = System.nanoTime();
                if (k < rounds) {
                    for (String w : weights) {
                        net.replaceTensor(w, withZeros(net.tensor(w), dropped.get(w)));
                    }
                }
                passNanos += t1 - t0;
                scoreNanos += t2 - t1;
                selectNanos += t3 - t2;
                applyNanos += System.nanoTime() - t3;
                onRound.accept(k, masks);
            }
        }
        long t4 = System.nanoTime();
        for (float[] s : scores.values()) {
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.abs(s[i]);
            }
        }
        scoreNanos += System.nanoTime() - t4;
        SynFlowTiming timing = new SynFlowTiming(rounds, passNanos / 1_000_000, scoreNanos / 1_000_000,
                selectNanos / 1_000_000, applyNanos / 1_000_000);
        LOG.debug("synflow: {}", timing);
        onDone.accept(timing);
        return new Scores(scores, masks);
    }

    /**
     * The next round's masked absolute weight: {@code current} with the entries just dropped set
     * to 0, a fresh tensor (so no gradient carries over) equal bit for bit to {@code |w| * mask}.
     */
    private static NDArray withZeros(NDArray current, int[] dropped) {
        if (dropped.length == 0) {
            return current.duplicate();
        }
        NDManager m = current.getManager();
        long[] flat = Arrays.stream(dropped).asLongStream().toArray(); // put takes int64 indices
        // The index's Java-backed memory is read only by this call; autograd is off (SynFlowPass).
        try (NDArray index = m.create(flat);
                NDArray zeros = m.zeros(new Shape(flat.length), current.getDataType())) {
            return current.put(index, zeros);
        }
    }
}
