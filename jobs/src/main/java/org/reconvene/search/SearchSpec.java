package org.reconvene.search;

import org.reconvene.metrics.Metric;
import org.reconvene.sweep.SweepSpec;
import org.reconvene.sweep.SweepSpecException;
import org.reconvene.sweep.YamlLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.pareto.Objective;
import org.reconvene.trial.TrialKey;

/**
 * A budget search file: a sweep's {@code name}, {@code seed}, {@code data} and {@code defaults},
 * plus
 *
 * <pre>
 * space:        # per trial key, a list of values or a range
 *   method: [upai, reconvene, spai-l1]
 *   sparsity: {min: 0.5, max: 0.98}
 *   lr: {min: 0.01, max: 0.2, log: true}
 * constraints:  # bounds on metrics of the pruned, untrained network
 *   latency_ms_b1: {max: 1.5}
 *   serialized_bytes: {max: 200000}
 * objectives:   # two or three
 *   top1: max
 *   serialized_bytes: min
 * budget:
 *   candidates: 24     # configurations drawn from the space
 *   rungs: [1, 3, 9]   # epochs reached at each rung; the last is every candidate's horizon
 *   eta: 3             # each rung promotes the best ceil(n / eta)
 * </pre>
 *
 * <p>The candidates are drawn as a sweep's {@code random} section would draw them (same seeds,
 * same validation, same trial ids), with {@code epochs} set to the last rung: the schedule spans
 * the whole horizon, so a rung's training is a prefix of a full run and a promoted candidate
 * continues from its checkpoint. Every error names the file and key.
 */
public final class SearchSpec {

    /** Metrics known before training: what constraints may bound ({@link Metric#beforeTraining()}). */
    static final List<String> PRE_TRAINING = java.util.Arrays.stream(Metric.values()).filter(Metric::beforeTraining)
            .map(Metric::column).toList();

    /** A bound on one metric. */
    public record Constraint(String metric, Double min, Double max) implements java.io.Serializable {
        /** Why {@code value} breaks it, or null when it does not. */
        public String violation(double value) {
            if (max != null && value > max) {
                return metric + " " + value + " > max " + max;
            }
            if (min != null && value < min) {
                return metric + " " + value + " < min " + min;
            }
            return null;
        }
    }

    private final SweepSpec candidates;
    private final List<Constraint> constraints;
    private final List<Objective> objectives;
    private final int[] rungs;
    private final int eta;

    private SearchSpec(SweepSpec candidates, List<Constraint> constraints, List<Objective> objectives, int[] rungs,
            int eta) {
        this.candidates = candidates;
        this.constraints = List.copyOf(constraints);
        this.objectives = List.copyOf(objectives);
        this.rungs = rungs;
        this.eta = eta;
    }

    /** Reads and validates a search file. */
    public static SearchSpec load(Path file) {
        return of(file.toString(), SweepSpec.readMapping(file), Path.of("").toAbsolutePath());
    }

    /** Validates a parsed search file. */
    public static SearchSpec of(String file, Map<String, Object> root, Path baseDir) {
        for (String k : root.keySet()) {
            if (!List.of("name", "description", "seed", "data", "defaults", "space", "constraints", "objectives",
                    "budget").contains(k)) {
                throw new SweepSpecException(file, k, "unknown key; expected name, description, seed, data, defaults, "
                        + "space, constraints, objectives or budget");
            }
        }
        Map<String, Object> budget = map(file, "budget", root.get("budget"), true);
        // "all": every point of the space, which must then be lists only (the full grid, for comparison)
        boolean all = "all".equals(budget.get("candidates"));
        int candidates = all ? 0 : positive(file, "budget.candidates", budget.get("candidates"));
        Object r = budget.get("rungs");
        if (!(r instanceof List<?> rl) || rl.isEmpty()) {
            throw new SweepSpecException(file, "budget.rungs", "expected a list of epochs, e.g. [1, 3, 9]");
        }
        int[] rungs = new int[rl.size()];
        for (int i = 0; i < rungs.length; i++) {
            rungs[i] = positive(file, "budget.rungs", rl.get(i));
            if (i > 0 && rungs[i] <= rungs[i - 1]) {
                throw new SweepSpecException(file, "budget.rungs", "must increase, got " + rl);
            }
        }
        int eta = budget.containsKey("eta") ? positive(file, "budget.eta", budget.get("eta")) : 3;
        if (eta < 2) {
            throw new SweepSpecException(file, "budget.eta", "must be at least 2, got " + eta);
        }
        for (String k : budget.keySet()) {
            if (!List.of("candidates", "rungs", "eta").contains(k)) {
                throw new SweepSpecException(file, "budget." + k, "unknown key; expected candidates, rungs or eta");
            }
        }

        List<Constraint> constraints = new ArrayList<>();
        for (Map.Entry<String, Object> e : map(file, "constraints", root.get("constraints"), false).entrySet()) {
            String key = "constraints." + e.getKey();
            if (!PRE_TRAINING.contains(e.getKey())) {
                throw new SweepSpecException(file, key, "not a metric known before training; expected one of "
                        + PRE_TRAINING);
            }
            Map<String, Object> b = map(file, key, e.getValue(), true);
            Double min = number(file, key + ".min", b.get("min"));
            Double max = number(file, key + ".max", b.get("max"));
            if ((min == null && max == null) || b.keySet().stream().anyMatch(x -> !x.equals("min") && !x.equals("max"))) {
                throw new SweepSpecException(file, key, "expected {max: X}, {min: X} or both");
            }
            if (min != null && max != null && min > max) {
                throw new SweepSpecException(file, key, "min " + min + " is above max " + max + ": no network "
                        + "can meet it");
            }
            constraints.add(new Constraint(e.getKey(), min, max));
        }

        List<Objective> objectives = new ArrayList<>();
        for (Map.Entry<String, Object> e : map(file, "objectives", root.get("objectives"), true).entrySet()) {
            if (!e.getKey().equals("top1") && !PRE_TRAINING.contains(e.getKey())) {
                throw new SweepSpecException(file, "objectives." + e.getKey(), "expected top1 or one of " + PRE_TRAINING);
            }
            try {
                objectives.add(Objective.parse(e.getKey(), e.getValue()));
            } catch (IllegalArgumentException x) {
                throw new SweepSpecException(file, "objectives." + e.getKey(), x.getMessage());
            }
        }
        if (objectives.size() < 2 || objectives.size() > 3) {
            throw new SweepSpecException(file, "objectives", "expected two or three, got " + objectives.size());
        }

        Map<String, Object> sweep = new LinkedHashMap<>();
        for (String k : List.of("name", "description", "seed", "data")) {
            if (root.containsKey(k)) {
                sweep.put(k, root.get(k));
            }
        }
        Map<String, Object> defaults = new LinkedHashMap<>(map(file, "defaults", root.get("defaults"), false));
        if (defaults.containsKey("epochs")) {
            throw new SweepSpecException(file, "defaults.epochs", "a search's epochs are its budget.rungs");
        }
        defaults.put("epochs", rungs[rungs.length - 1]);
        sweep.put("defaults", defaults);
        Map<String, Object> space = map(file, "space", root.get("space"), true);
        if (space.isEmpty()) {
            throw new SweepSpecException(file, "space", "is empty: give at least one key to search over, e.g. "
                    + "{sparsity: {min: 0.8, max: 0.98}}");
        }
        if (space.containsKey("epochs")) {
            throw new SweepSpecException(file, "space.epochs", "a search's epochs are its budget.rungs");
        }
        if (all) {
            for (Map.Entry<String, Object> e : space.entrySet()) {
                if (!(e.getValue() instanceof List<?>)) {
                    throw new SweepSpecException(file, "space." + e.getKey(), "budget.candidates: all needs a list");
                }
            }
            sweep.put("grid", space);
        } else {
            Map<String, Object> axes = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : space.entrySet()) {
                axes.put(e.getKey(), axis(file, e.getKey(), e.getValue()));
            }
            sweep.put("random", Map.of("samples", candidates, "axes", axes));
        }
        SweepSpec spec;
        try {
            spec = SweepSpec.of(file, sweep, baseDir, all ? SweepSpec.DEFAULT_MAX_TRIALS : Math.max(candidates, 1));
        } catch (SweepSpecException e) {
            // the space is checked as a sweep's random axes or grid, its values as trial keys: name
            // the search file's own keys
            SweepSpecException x = e.rekeyed("random.axes.", "space.").rekeyed("grid.", "space.");
            if (x.key() != null && space.containsKey(x.key())) {
                x = x.rekeyed(x.key(), "space." + x.key());
            } else if (x.key() != null && defaults.containsKey(x.key())) {
                x = x.rekeyed(x.key(), "defaults." + x.key());
            }
            throw x;
        }
        return new SearchSpec(spec, constraints, objectives, rungs, eta);
    }

    /** A space entry as a sweep's random axis: a list is a choice; a range uniform or log-uniform. */
    private static Map<String, Object> axis(String file, String key, Object v) {
        String where = "space." + key;
        if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                throw new SweepSpecException(file, where, "has no values");
            }
            return Map.of("choice", l);
        }
        Map<String, Object> range = map(file, where, v, true);
        Double lo = number(file, where + ".min", range.get("min"));
        Double hi = number(file, where + ".max", range.get("max"));
        Object log = range.getOrDefault("log", false);
        if (lo == null || hi == null || !(lo < hi) || !(log instanceof Boolean)
                || range.keySet().stream().anyMatch(x -> !List.of("min", "max", "log").contains(x))) {
            throw new SweepSpecException(file, where, "expected a list, or {min: A, max: B, log: true|false} with A < B");
        }
        TrialKey k = TrialKey.byKey(key).filter(TrialKey::sweepKey).orElseThrow(
                () -> new SweepSpecException(file, where, "not a trial key"));
        if (k.type() == TrialKey.Type.INT || k.type() == TrialKey.Type.LONG) {
            // integer ranges are every integer in [min, max], drawn uniformly
            long a = (long) Math.ceil(lo);
            long b = (long) Math.floor(hi);
            if (a > b) {
                throw new SweepSpecException(file, where, "holds no integer: [" + lo + ", " + hi + "]");
            }
            if (b - a > 10_000 || Boolean.TRUE.equals(log)) {
                throw new SweepSpecException(file, where, "an integer range is at most 10,000 values, without log");
            }
            List<Object> values = new ArrayList<>();
            for (long x = a; x <= b; x++) {
                values.add(x);
            }
            return Map.of("choice", values);
        }
        if (k.type() != TrialKey.Type.DOUBLE) {
            throw new SweepSpecException(file, where, "a range needs a numeric key; give a list of values");
        }
        return Map.of(Boolean.TRUE.equals(log) ? "loguniform" : "uniform", List.of(lo, hi));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String file, String key, Object v, boolean required) {
        if (v == null) {
            if (required) {
                throw new SweepSpecException(file, key, "is required");
            }
            return Map.of();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new SweepSpecException(file, key, "expected a mapping, got " + YamlLimits.brief(v));
        }
        return (Map<String, Object>) v;
    }

    private static Double number(String file, String key, Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new SweepSpecException(file, key, "expected a number, got '" + YamlLimits.brief(v) + "'");
        }
        return n.doubleValue();
    }

    /** The largest count a budget takes (candidates, epochs of a rung, eta). */
    static final int MAX_COUNT = 1_000_000;

    private static int positive(String file, String key, Object v) {
        Long x = SweepSpec.exactLong(v);
        if (x == null || x < 1) {
            throw new SweepSpecException(file, key, "expected a positive integer, got '" + YamlLimits.brief(v) + "'");
        }
        if (x > MAX_COUNT) {
            throw new SweepSpecException(file, key, "is " + x + "; at most " + MAX_COUNT + " (1,000,000)");
        }
        return (int) (long) x;
    }

    /** The candidates, as a sweep (name, data, trials with their ids). */
    public SweepSpec candidates() {
        return candidates;
    }

    /**
     * Whether a constraint or objective is an int8 metric (a device budget on the int8 file's bytes
     * or milliseconds): then every candidate is quantized at its first rung, and its trained int8
     * file's top-1 is measured at each rung.
     */
    public boolean quantizes() {
        java.util.stream.Stream<String> used = java.util.stream.Stream.concat(constraints.stream().map(Constraint::metric),
                objectives.stream().map(Objective::metric));
        return used.anyMatch(m -> m.contains("int8"));
    }

    public List<Constraint> constraints() {
        return constraints;
    }

    public List<Objective> objectives() {
        return objectives;
    }

    /**
     * The same search without early stopping: every point of the space ({@code candidates: all}
     * needs list-valued spaces) trained to the last rung in one rung. Its front is the reference a
     * search's front is compared with (docs/SEARCH.md).
     */
    public SearchSpec fullGrid(String file, Map<String, Object> root, Path baseDir, String name) {
        Map<String, Object> r = new LinkedHashMap<>(root);
        Map<String, Object> b = new LinkedHashMap<>(map(file, "budget", root.get("budget"), true));
        b.put("candidates", "all");
        b.put("rungs", List.of(rungs[rungs.length - 1]));
        r.put("budget", b);
        r.put("name", name != null ? name : candidates.name() + "-grid");
        return of(file, r, baseDir);
    }

    /**
     * The hypervolume reference point, in minimised coordinates: top1 (or any maximised metric
     * in [0, 1]) at 0, a minimised metric at its constraint's max where there is one, else at
     * {@code fallback} (the largest value seen).
     */
    public double[] reference(Map<String, Double> fallback) {
        double[] ref = new double[objectives.size()];
        for (int i = 0; i < ref.length; i++) {
            Objective o = objectives.get(i);
            if (o.maximise()) {
                ref[i] = 0;
                continue;
            }
            Double bound = constraints.stream().filter(c -> c.metric().equals(o.metric()) && c.max() != null)
                    .map(Constraint::max).findFirst().orElse(fallback.get(o.metric()));
            ref[i] = bound == null ? Double.MAX_VALUE : bound;
        }
        return ref;
    }

    /** Epochs reached at each rung. */
    public int[] rungs() {
        return rungs.clone();
    }

    public int eta() {
        return eta;
    }

    /** Why {@code measured} breaks {@code constraints} ("; "-joined), or null when it meets them all. */
    public static String violations(List<Constraint> constraints, org.reconvene.metrics.MetricValues measured) {
        List<String> broken = new ArrayList<>();
        for (Constraint c : constraints) {
            double v = measured.number(Metric.byColumn(c.metric()).orElseThrow());
            String why = Double.isNaN(v) ? c.metric() + " was not measured" : c.violation(v);
            if (why != null) {
                broken.add(why);
            }
        }
        return broken.isEmpty() ? null : String.join("; ", broken);
    }
}
