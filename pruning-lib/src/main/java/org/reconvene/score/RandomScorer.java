package org.reconvene.score;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.reconvene.provenance.Seeds;

/** Scores every weight with an independent N(0, 1) draw seeded by the trial: the random baseline. */
public final class RandomScorer implements Scorer {

    @Override
    public String name() {
        return "random";
    }

    @Override
    public Scores score(ScoringContext ctx) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String w : ctx.weights()) {
            int n = Math.toIntExact(ctx.network().infos().get(w).size());
            SplittableRandom rng = new SplittableRandom(Seeds.derive(ctx.seed(), Seeds.PRUNING + "/random/" + w));
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = (float) rng.nextGaussian();
            }
            out.put(w, s);
        }
        return new Scores(out);
    }
}
