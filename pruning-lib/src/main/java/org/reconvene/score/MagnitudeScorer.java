package org.reconvene.score;

import java.util.LinkedHashMap;
import java.util.Map;

/** Scores every weight by its absolute value at initialization. */
public final class MagnitudeScorer implements Scorer {

    @Override
    public String name() {
        return "magnitude";
    }

    @Override
    public Scores score(ScoringContext ctx) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String w : ctx.weights()) {
            double[] v = Gradients.values(ctx.network().tensor(w));
            float[] s = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                s[i] = (float) Math.abs(v[i]);
            }
            out.put(w, s);
        }
        return new Scores(out);
    }
}
