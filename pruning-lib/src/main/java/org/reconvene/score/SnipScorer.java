package org.reconvene.score;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SNIP (Lee et al., 2019): connection sensitivity {@code |g * w|} with {@code g = dL/dw} of the
 * cross-entropy over the pruning data, gradients summed over its chunks.
 */
public final class SnipScorer implements Scorer {

    @Override
    public String name() {
        return "snip";
    }

    @Override
    public boolean needsData() {
        return true;
    }

    @Override
    public Scores score(ScoringContext ctx) {
        Map<String, double[]> grads =
                Gradients.ofLoss(ctx.network(), ctx.requireData(name()), ctx.weights(), 1.0,
                        ctx.settings().chunkSize());
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String w : ctx.weights()) {
            double[] v = Gradients.values(ctx.network().tensor(w));
            double[] g = grads.get(w);
            float[] s = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                s[i] = (float) Math.abs(g[i] * v[i]);
            }
            out.put(w, s);
        }
        return new Scores(out);
    }
}
