package org.reconvene.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Non-dominated sorting, crowding distance, promotion and hypervolume over points whose every
 * coordinate is to be minimised (a maximised objective enters negated; {@link Objective} does it).
 *
 * <p>A point dominates another if it is no worse in every coordinate and better in one. Fronts are
 * the usual NSGA-II layers: front 0 is the non-dominated set, front 1 what is non-dominated once
 * front 0 is removed, and so on. Within a front, points are ordered by crowding distance (larger
 * first: the boundary points, whose distance is infinite, then the sparsest), and ties by index,
 * which callers make the order of trial ids, so a promotion never depends on scheduling.
 */
public final class Pareto {

    private Pareto() {}

    /** Whether {@code a} dominates {@code b}. */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            better |= a[i] < b[i];
        }
        return better;
    }

    /** The front index of each point (0 for non-dominated). */
    public static int[] fronts(List<double[]> points) {
        int n = points.size();
        int[] dominatedBy = new int[n];
        List<List<Integer>> dominates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dominates.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (dominates(points.get(i), points.get(j))) {
                    dominates.get(i).add(j);
                    dominatedBy[j]++;
                } else if (dominates(points.get(j), points.get(i))) {
                    dominates.get(j).add(i);
                    dominatedBy[i]++;
                }
            }
        }
        int[] front = new int[n];
        List<Integer> current = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (dominatedBy[i] == 0) {
                current.add(i);
            }
        }
        int f = 0;
        while (!current.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (int i : current) {
                front[i] = f;
                for (int j : dominates.get(i)) {
                    if (--dominatedBy[j] == 0) {
                        next.add(j);
                    }
                }
            }
            current = next;
            f++;
        }
        return front;
    }

    /** Crowding distance of each point within its own front (infinite at a front's extremes). */
    public static double[] crowding(List<double[]> points, int[] front) {
        int n = points.size();
        double[] d = new double[n];
        if (n == 0) {
            return d;
        }
        int m = points.get(0).length;
        int fronts = Arrays.stream(front).max().orElse(-1) + 1;
        for (int f = 0; f < fronts; f++) {
            final int ff = f;
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (front[i] == ff) {
                    members.add(i);
                }
            }
            for (int k = 0; k < m; k++) {
                final int kk = k;
                members.sort(Comparator.comparingDouble((Integer i) -> points.get(i)[kk]).thenComparingInt(i -> i));
                double lo = points.get(members.get(0))[k];
                double hi = points.get(members.get(members.size() - 1))[k];
                d[members.get(0)] = Double.POSITIVE_INFINITY;
                d[members.get(members.size() - 1)] = Double.POSITIVE_INFINITY;
                if (hi > lo) {
                    for (int r = 1; r < members.size() - 1; r++) {
                        d[members.get(r)] += (points.get(members.get(r + 1))[k] - points.get(members.get(r - 1))[k])
                                / (hi - lo);
                    }
                }
            }
        }
        return d;
    }

    /**
     * The indices of the {@code keep} best points: by front, then crowding distance (larger
     * first), then index. A rung of a search promotes these.
     */
    public static List<Integer> best(List<double[]> points, int keep) {
        int[] front = fronts(points);
        double[] crowd = crowding(points, front);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> front[i])
                .thenComparing((Integer i) -> -crowd[i])
                .thenComparingInt(i -> i));
        return List.copyOf(order.subList(0, Math.min(keep, order.size())));
    }

    /** The indices of the non-dominated points, in index order. */
    public static List<Integer> front(List<double[]> points) {
        int[] f = fronts(points);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < f.length; i++) {
            if (f[i] == 0) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * The hypervolume dominated by {@code points} and bounded by {@code reference} (every point
     * must be below it in every coordinate to count; points beyond it are ignored). Exact, for
     * two or three coordinates: a sweep in 2-D, slices along the third coordinate in 3-D.
     */
    public static double hypervolume(List<double[]> points, double[] reference) {
        List<double[]> in = new ArrayList<>();
        for (double[] p : points) {
            boolean inside = true;
            for (int i = 0; i < reference.length; i++) {
                inside &= p[i] < reference[i];
            }
            if (inside) {
                in.add(p);
            }
        }
        if (reference.length == 2) {
            return hv2(in, reference);
        }
        if (reference.length != 3) {
            throw new IllegalArgumentException("hypervolume of 2 or 3 objectives, got " + reference.length);
        }
        in.sort(Comparator.comparingDouble(p -> p[2]));
        double volume = 0;
        List<double[]> slice = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            slice.add(in.get(i));
            double z0 = in.get(i)[2];
            double z1 = i + 1 < in.size() ? in.get(i + 1)[2] : reference[2];
            if (z1 > z0) {
                volume += hv2(slice, reference) * (z1 - z0);
            }
        }
        return volume;
    }

    /** Sorted by x, each point that lowers the best y so far adds the band [y, best y) from its x to the reference. */
    private static double hv2(List<double[]> points, double[] ref) {
        List<double[]> s = new ArrayList<>(points);
        s.sort(Comparator.comparingDouble((double[] p) -> p[0]).thenComparingDouble(p -> p[1]));
        double area = 0;
        double bestY = ref[1];
        for (double[] p : s) {
            if (p[1] < bestY) {
                area += (ref[0] - p[0]) * (bestY - p[1]);
                bestY = p[1];
            }
        }
        return area;
    }
}
