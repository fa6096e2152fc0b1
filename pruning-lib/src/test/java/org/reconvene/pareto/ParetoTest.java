package org.reconvene.pareto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.uma.jmetal.qualityindicator.impl.hypervolume.impl.PISAHypervolume;

/** Pareto's sorting against brute force, its promotion rule, and its hypervolume against jMetal's. */
class ParetoTest {

    private static List<double[]> random(int n, int m, long seed, int grid) {
        SplittableRandom r = new SplittableRandom(seed);
        List<double[]> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = new double[m];
            for (int k = 0; k < m; k++) {
                x[k] = r.nextInt(grid) / (double) grid; // a coarse grid makes ties and duplicates
            }
            p.add(x);
        }
        return p;
    }

    /** Front 0 by definition: dominated by no other point. */
    private static Set<Integer> bruteFront(List<double[]> p, Set<Integer> among) {
        Set<Integer> out = new HashSet<>();
        for (int i : among) {
            boolean dominated = false;
            for (int j : among) {
                dominated |= j != i && Pareto.dominates(p.get(j), p.get(i));
            }
            if (!dominated) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void frontsEqualRepeatedlyPeelingTheBruteForceFront() {
        for (int m = 2; m <= 3; m++) {
            for (long seed = 0; seed < 20; seed++) {
                List<double[]> p = random(40, m, seed, 8);
                int[] f = Pareto.fronts(p);
                Set<Integer> left = new HashSet<>();
                for (int i = 0; i < p.size(); i++) {
                    left.add(i);
                }
                for (int layer = 0; !left.isEmpty(); layer++) {
                    Set<Integer> front = bruteFront(p, left);
                    for (int i = 0; i < p.size(); i++) {
                        assertEquals(front.contains(i), left.contains(i) && f[i] == layer,
                                "seed " + seed + " point " + i);
                    }
                    left.removeAll(front);
                }
            }
        }
    }

    @Test
    void promotionKeepsTheNonDominatedFirstThenTheSparsest() {
        // Fixed objective values: A, B, C non-dominated; D dominated by B only; E dominated by all.
        List<double[]> p = List.of(new double[] {1, 5}, new double[] {2, 2}, new double[] {5, 1},
                new double[] {3, 3}, new double[] {6, 6});
        assertEquals(List.of(0, 1, 2), Pareto.front(p));
        // keep 3 of 5: exactly the non-dominated share
        assertEquals(Set.of(0, 1, 2), Set.copyOf(Pareto.best(p, 3)));
        // keep 2: the front's extremes (infinite crowding) before its middle
        assertEquals(List.of(0, 2), Pareto.best(p, 2));
        // keep 4: the whole front, then the best of front 1
        assertEquals(List.of(0, 2, 1, 3), Pareto.best(p, 4));
    }

    @Test
    void hypervolumeMatchesJMetalAndTheUnionOfBoxes() {
        // 2-D by hand: boxes [1,4]x[3,4] and [2,4]x[1,4] overlap in [2,4]x[3,4]: 3 + 6 - 2 = 7
        assertEquals(7.0, Pareto.hypervolume(List.of(new double[] {1, 3}, new double[] {2, 1}), new double[] {4, 4}),
                1e-12);
        for (int m = 2; m <= 3; m++) {
            for (long seed = 0; seed < 10; seed++) {
                List<double[]> p = random(25, m, seed + 100, 50);
                double[] ref = new double[m];
                java.util.Arrays.fill(ref, 1.0);
                List<Integer> front = Pareto.front(p);
                double[][] f = front.stream().map(p::get).toArray(double[][]::new);
                double jmetal = new PISAHypervolume(ref).compute(f);
                double ours = Pareto.hypervolume(p, ref);
                assertEquals(jmetal, ours, 1e-9, "m=" + m + " seed " + seed);
                assertTrue(ours > 0);
            }
        }
    }
}
