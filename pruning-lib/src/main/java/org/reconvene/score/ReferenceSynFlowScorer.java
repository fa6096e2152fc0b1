package org.reconvene.score;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.reconvene.model.NativeArrays;
import org.reconvene.model.Network;

/**
 * SynFlow written the direct way, kept as the oracle for {@link SynFlowScorer}: every round
 * copies all masks into the engine, all scores out of it, and re-selects over every weight with
 * {@link org.reconvene.mask.Masker#selectInto}. Its masks are the definition the fast scorer must
 * reproduce bit for bit (ScorerTest, and {@code bench prune}, which also times the two).
 */
public final class ReferenceSynFlowScorer implements Scorer {

    private final Consumer<SynFlowTiming> onDone;

    /** The reference scorer. */
    public ReferenceSynFlowScorer() {
        this(t -> {});
    }

    /** The reference scorer, reporting where each run spent its time (benchmarks). */
    public ReferenceSynFlowScorer(Consumer<SynFlowTiming> onDone) {
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
        Map<String, float[]> masks = new LinkedHashMap<>();
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (String w : weights) {
            int n = Math.toIntExact(net.infos().get(w).size());
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            masks.put(w, ones);
            scores.put(w, new float[n]);
        }
        long passNanos = 0;
        long scoreNanos = 0;
        long selectNanos = 0;
        long applyNanos = 0;
        try (SynFlowPass pass = new SynFlowPass(net, weights)) {
            for (int k = 1; k <= rounds; k++) {
                long t0 = System.nanoTime();
                for (String w : weights) {
                    NDArray a = pass.abs(w);
                    NDArray masked;
                    if (k == 1) {
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
                long t1 = System.nanoTime();
                pass.backward();
                long tp = System.nanoTime();
                for (String w : weights) {
                    NDArray p = net.tensor(w);
                    try (NDArray g = p.getGradient();
                            NDArray gw = g.mul(p);
                            NDArray s = gw.abs()) {
                        NativeArrays.copyTo(s, scores.get(w));
                    }
                    p.setRequiresGradient(false);
                }
                long t2 = System.nanoTime();
                ctx.masker().selectInto(scores, masks, Math.pow(ctx.density(), (double) k / rounds), masks);
                selectNanos += System.nanoTime() - t2;
                applyNanos += t1 - t0;
                scoreNanos += t2 - tp;
                passNanos += tp - t1;
            }
        }
        onDone.accept(new SynFlowTiming(rounds, passNanos / 1_000_000, scoreNanos / 1_000_000,
                selectNanos / 1_000_000, applyNanos / 1_000_000));
        return new Scores(scores, masks);
    }
}
