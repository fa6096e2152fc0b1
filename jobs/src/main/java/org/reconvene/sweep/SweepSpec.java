package org.reconvene.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.reconvene.data.Uris;
import org.reconvene.trial.TrialConfig;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A sweep definition read from a YAML file in {@code conf/sweeps/}: a name, the datasets, and the
 * axes whose combinations are the trials.
 *
 * <pre>
 * name: quickstart                      # [A-Za-z0-9._-]+, the results partition
 * seed: 0                               # seeds the random axes (default 0)
 * data:                                 # dataset name -> where it is
 *   synthetic: {uri: data/quickstart, generate: {classes: 10, train: 2000, test: 500, difficulty: 0.5}}
 * defaults: {epochs: 2, lr: 0.05}       # trial keys fixed for every trial
 * grid:                                 # every combination of these lists
 *   model: [resnet20]
 *   method: [dense, upai, reconvene]
 *   seed: [0, 1]
 * random:                               # per grid point, `samples` draws of these
 *   samples: 4
 *   axes: {sparsity: {uniform: [0.8, 0.99]}, lr: {loguniform: [0.01, 0.2]}, scorer: {choice: [snip, synflow]}}
 * exclude:                              # trials matching every key of a rule are dropped
 *   - {method: reconvene, scorer: random}
 * </pre>
 *
 * <p>Everything is validated when the file is read, before any work starts: an unknown key, a
 * value of the wrong type or range, or a sweep without trials is a {@link SweepSpecException}
 * naming the file and key. Relative data paths are resolved against the working directory.
 * Trials whose canonical configs coincide (a dense trial over several scorers) are one trial.
 */
public final class SweepSpec {

    private static final Set<String> TOP = Set.of("name", "description", "seed", "data", "defaults", "grid",
            "random", "exclude", "export");
    /**
     * The longest name: {@code sweep=NAME} is one directory name, which Linux file systems and HDFS
     * limit to 255 bytes; 200 leaves room for the {@code -grid} a search comparison appends.
     */
    public static final int MAX_NAME = 200;
    private static final Set<String> GENERATE = Set.of("classes", "train", "test", "size", "seed", "difficulty");

    /** Where one dataset of the sweep lives, and how to generate it when it is synthetic and missing. */
    public record DataSource(String dataset, String uri, Map<String, Object> generate) {}

    private final String file;
    private final String name;
    private final long seed;
    private final Map<String, DataSource> data;
    private final Map<String, Object> defaults;
    private final Map<String, List<Object>> grid;
    private final int samples;
    private final Map<String, Map<String, Object>> random;
    private final List<Map<String, Object>> exclude;
    private final long plannedTrials;
    private final boolean exportOnnx;
    private final boolean exportInt8;
    private final List<TrialConfig> trials;

    /** Where relative data and model paths resolve. */
    private final Path baseDir;

    /** The default cap on the trials of one sweep ({@code --max-trials}). */
    public static final long DEFAULT_MAX_TRIALS = 100_000;

    private SweepSpec(String file, Map<String, Object> root, Path baseDir, long maxTrials) {
        this.file = file;
        this.baseDir = baseDir;
        for (String k : root.keySet()) {
            if (!TOP.contains(k)) {
                throw new SweepSpecException(file, k, "unknown key; expected one of " + new java.util.TreeSet<>(TOP));
            }
        }
        Object n = root.get("name");
        if (!(n instanceof String) || !((String) n).matches("[A-Za-z0-9._-]+")) {
            throw new SweepSpecException(file, "name", "required, letters, digits, '.', '_' or '-' only; got "
                    + YamlLimits.brief(n));
        }
        if (((String) n).length() > MAX_NAME) {
            // RESULTS/sweep=NAME is one directory name: file systems take at most 255 bytes
            throw new SweepSpecException(file, "name", "is " + ((String) n).length() + " characters; at most "
                    + MAX_NAME + " fit the results directory's name (sweep=NAME, 255 bytes on most file systems)");
        }
        this.name = (String) n;
        this.seed = root.containsKey("seed") ? asLong("seed", root.get("seed"), Long.MIN_VALUE, Long.MAX_VALUE) : 0L;
        Object export = root.getOrDefault("export", "none");
        if (!"onnx".equals(export) && !"onnx-int8".equals(export) && !"none".equals(export)) {
            throw new SweepSpecException(file, "export", "expected onnx, onnx-int8 or none, got '"
                    + YamlLimits.brief(export) + "'");
        }
        this.exportOnnx = !"none".equals(export);
        this.exportInt8 = "onnx-int8".equals(export);
        this.data = parseData(map("data", root.get("data"), true), baseDir);
        this.defaults = trialMap("defaults", map("defaults", root.get("defaults"), false));
        this.grid = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : trialMap("grid", map("grid", root.get("grid"), false)).entrySet()) {
            List<Object> values = e.getValue() instanceof List<?> l ? new ArrayList<>(l) : List.of(e.getValue());
            if (values.isEmpty()) {
                throw new SweepSpecException(file, "grid." + e.getKey(), "has no values");
            }
            grid.put(e.getKey(), values);
        }
        Map<String, Object> rnd = map("random", root.get("random"), false);
        for (String k : rnd.keySet()) {
            if (!k.equals("samples") && !k.equals("axes")) {
                throw new SweepSpecException(file, "random." + k, "unknown key; expected samples or axes");
            }
        }
        this.samples = rnd.isEmpty() ? 1 : (int) asLong("random.samples", rnd.getOrDefault("samples", null), 1,
                Integer.MAX_VALUE);
        if (samples < 1) {
            throw new SweepSpecException(file, "random.samples", "must be at least 1");
        }
        this.random = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : trialMap("random.axes", map("random.axes", rnd.get("axes"), false)).entrySet()) {
            random.put(e.getKey(), distribution("random.axes." + e.getKey(), e.getValue()));
        }
        this.exclude = new ArrayList<>();
        Object ex = root.get("exclude");
        if (ex != null) {
            if (!(ex instanceof List<?> rules)) {
                throw new SweepSpecException(file, "exclude", "expected a list of rules");
            }
            for (Object rule : rules) {
                exclude.add(trialMap("exclude", map("exclude", rule, true)));
            }
        }
        this.plannedTrials = plannedTrials();
        if (plannedTrials > maxTrials) {
            throw new SweepSpecException(file, null, "the grid and random samples make " + (plannedTrials == Long.MAX_VALUE
                    ? "more than " + Long.MAX_VALUE : plannedTrials) + " trials (before exclude rules), above the cap of "
                    + maxTrials + "; split the sweep, or raise the cap with --max-trials");
        }
        this.trials = expand();
        if (trials.isEmpty()) {
            throw new SweepSpecException(file, null, "the sweep has no trials (check grid and exclude)");
        }
    }

    /** Reads and validates a sweep file. */
    public static SweepSpec load(Path file) {
        return load(file, DEFAULT_MAX_TRIALS);
    }

    /** Reads and validates a sweep file of at most {@code maxTrials} trials. */
    public static SweepSpec load(Path file, long maxTrials) {
        return new SweepSpec(file.toString(), readMapping(file), Path.of("").toAbsolutePath(), maxTrials);
    }

    /** Parses sweep YAML; {@code source} names it in errors; relative data paths resolve against {@code baseDir}. */
    public static SweepSpec parse(String yaml, String source, Path baseDir) {
        return parse(yaml, source, baseDir, DEFAULT_MAX_TRIALS);
    }

    /** {@link #parse(String, String, Path)} refusing sweeps of more than {@code maxTrials} trials. */
    public static SweepSpec parse(String yaml, String source, Path baseDir, long maxTrials) {
        return new SweepSpec(source, mapping(yaml, source), baseDir, maxTrials);
    }

    /** Parses YAML into a limit-checked top-level mapping, naming {@code source} in every error. */
    private static Map<String, Object> mapping(String yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(YamlLimits.loaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new SweepSpecException(source, null, "not valid YAML: " + YamlLimits.describe(e));
        }
        YamlLimits.check(source, root);
        if (!(root instanceof Map<?, ?>)) {
            throw new SweepSpecException(source, null, "expected a mapping at the top level");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) root;
        return m;
    }

    /** A sweep from an already parsed and limit-checked YAML mapping (a search's candidate part). */
    public static SweepSpec of(String source, Map<String, Object> root, Path baseDir, long maxTrials) {
        return new SweepSpec(source, root, baseDir, maxTrials);
    }

    /** Reads a YAML file into a limit-checked mapping, naming {@code file} in every error. */
    public static Map<String, Object> readMapping(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SweepSpecException(file.toString(), null, "no such sweep file");
        }
        try {
            if (Files.size(file) > YamlLimits.MAX_BYTES) {
                throw new SweepSpecException(file.toString(), null, "is " + Files.size(file) + " bytes; a sweep file "
                        + "may have at most " + YamlLimits.MAX_BYTES);
            }
            return mapping(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The sweep's name, which is also its results partition. */
    public String name() {
        return name;
    }

    /** The file it was read from. */
    public String file() {
        return file;
    }

    /** The datasets, by name. */
    public Map<String, DataSource> data() {
        return data;
    }

    /**
     * Whether each OK trial's trained network is exported to ONNX ({@code export: onnx}), to
     * {@code RESULTS/sweep=NAME/_onnx/TRIAL_ID.onnx}. Not part of any trial's config: a trial
     * already run without it keeps its row and gets no model on {@code --resume}.
     */
    public boolean exportsOnnx() {
        return exportOnnx;
    }

    /**
     * Whether the sweep also quantizes each trained network to int8 ({@code export: onnx-int8}):
     * the int8 metrics join each row (docs/METHOD.md section 7) and the file goes to
     * {@code RESULTS/sweep=NAME/_onnx/TRIAL_ID.int8.onnx}. Like {@link #exportsOnnx()}, not part
     * of a trial's config.
     */
    public boolean exportsInt8() {
        return exportInt8;
    }

    /** Every trial, in a stable order, without duplicates. */
    public List<TrialConfig> trials() {
        return trials;
    }

    private List<TrialConfig> expand() {
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<Object>> axis : grid.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> p : points) {
                for (Object v : axis.getValue()) {
                    Map<String, Object> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), v);
                    next.add(q);
                }
            }
            points = next;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, TrialConfig> byId = new LinkedHashMap<>();
        for (Map<String, Object> p : points) {
            for (int s = 0; s < samples; s++) {
                Map<String, Object> point = new LinkedHashMap<>(SweepPoints.DEFAULTS);
                point.putAll(defaults);
                point.putAll(p);
                for (Map.Entry<String, Map<String, Object>> r : random.entrySet()) {
                    point.put(r.getKey(), draw(r.getValue(), rng));
                }
                if (point.get("dataset") == null && data.size() == 1) {
                    point.put("dataset", data.keySet().iterator().next());
                }
                if (excluded(point)) {
                    continue;
                }
                DataSource src = data.get(String.valueOf(point.get("dataset")));
                if (src == null) {
                    throw new SweepSpecException(file, "dataset", "'" + YamlLimits.brief(point.get("dataset")) + "' is not under data: "
                            + data.keySet());
                }
                TrialConfig t = SweepPoints.toTrial(file, point, src.uri(), baseDir);
                byId.putIfAbsent(t.trialId(), t);
            }
        }
        return List.copyOf(byId.values());
    }

    private boolean excluded(Map<String, Object> point) {
        for (Map<String, Object> rule : exclude) {
            boolean all = true;
            for (Map.Entry<String, Object> c : rule.entrySet()) {
                List<?> allowed = c.getValue() instanceof List<?> l ? l : List.of(c.getValue());
                boolean any = false;
                for (Object a : allowed) {
                    any |= same(a, point.get(c.getKey()));
                }
                all &= any;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return a != null && b != null && a.toString().equalsIgnoreCase(b.toString());
    }

    private Map<String, Object> distribution(String key, Object spec) {
        Map<String, Object> d = map(key, spec, true);
        if (d.size() != 1) {
            throw new SweepSpecException(file, key, "expected one of uniform, loguniform or choice");
        }
        String kind = d.keySet().iterator().next();
        Object args = d.get(kind);
        if (!(args instanceof List<?> l) || l.isEmpty()) {
            throw new SweepSpecException(file, key + "." + kind, "expected a list");
        }
        switch (kind) {
            case "uniform", "loguniform" -> {
                if (l.size() != 2 || !(l.get(0) instanceof Number) || !(l.get(1) instanceof Number)) {
                    throw new SweepSpecException(file, key + "." + kind, "expected [low, high], got " + YamlLimits.brief(l));
                }
                double lo = ((Number) l.get(0)).doubleValue();
                double hi = ((Number) l.get(1)).doubleValue();
                if (!(lo < hi) || (kind.equals("loguniform") && lo <= 0)) {
                    throw new SweepSpecException(file, key + "." + kind, "needs 0 < low < high (low < high for uniform)");
                }
            }
            case "choice" -> { }
            default -> throw new SweepSpecException(file, key, "unknown distribution '" + kind
                    + "'; expected uniform, loguniform or choice");
        }
        return d;
    }

    private static Object draw(Map<String, Object> d, SplittableRandom rng) {
        String kind = d.keySet().iterator().next();
        List<?> l = (List<?>) d.get(kind);
        switch (kind) {
            case "uniform":
                return rng.nextDouble(((Number) l.get(0)).doubleValue(), ((Number) l.get(1)).doubleValue());
            case "loguniform":
                double lo = Math.log(((Number) l.get(0)).doubleValue());
                double hi = Math.log(((Number) l.get(1)).doubleValue());
                return Math.exp(rng.nextDouble(lo, hi));
            default:
                return l.get(rng.nextInt(l.size()));
        }
    }

    private Map<String, DataSource> parseData(Map<String, Object> raw, Path baseDir) {
        if (raw.isEmpty()) {
            throw new SweepSpecException(file, "data", "at least one dataset is required");
        }
        Map<String, DataSource> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = "data." + e.getKey();
            if (!org.reconvene.data.Dataset.names().contains(e.getKey())) {
                throw new SweepSpecException(file, key, "unknown dataset; expected one of "
                        + org.reconvene.data.Dataset.names());
            }
            Map<String, Object> d = map(key, e.getValue(), true);
            for (String k : d.keySet()) {
                if (!k.equals("uri") && !k.equals("generate")) {
                    throw new SweepSpecException(file, key + "." + k, "unknown key; expected uri or generate");
                }
            }
            Object uri = d.get("uri");
            if (!(uri instanceof String) || ((String) uri).isBlank()) {
                throw new SweepSpecException(file, key + ".uri", "is required");
            }
            Map<String, Object> gen = map(key + ".generate", d.get("generate"), false);
            for (String k : gen.keySet()) {
                if (!GENERATE.contains(k)) {
                    throw new SweepSpecException(file, key + ".generate." + k, "unknown key; expected one of " + GENERATE);
                }
            }
            for (Map.Entry<String, Object> g : gen.entrySet()) {
                String gk = key + ".generate." + g.getKey();
                if (g.getKey().equals("difficulty")) {
                    if (!(g.getValue() instanceof Number)) {
                        throw new SweepSpecException(file, gk, "expected a number, got '" + YamlLimits.brief(g.getValue()) + "'");
                    }
                } else {
                    asLong(gk, g.getValue(), g.getKey().equals("seed") ? 0 : 1, Integer.MAX_VALUE);
                }
            }
            if (!gen.isEmpty() && !e.getKey().equals("synthetic")) {
                throw new SweepSpecException(file, key + ".generate", "only synthetic data can be generated");
            }
            out.put(e.getKey(), new DataSource(e.getKey(), Uris.canonical((String) uri, baseDir), gen));
        }
        return out;
    }

    /** {@link Uris#canonical(String)}: the form every stored or hashed URI takes. */
    public static String resolveUri(String uri) {
        return Uris.canonical(uri);
    }

    private Map<String, Object> trialMap(String where, Map<String, Object> m) {
        for (String k : m.keySet()) {
            if (!SweepPoints.known(k)) {
                throw new SweepSpecException(file, where + "." + k, "unknown trial key; expected one of "
                        + SweepPoints.names());
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(String key, Object v, boolean required) {
        if (v == null) {
            if (required) {
                throw new SweepSpecException(file, key, "is required");
            }
            return new LinkedHashMap<>();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new SweepSpecException(file, key, "expected a mapping, got " + YamlLimits.brief(v));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            out.put(String.valueOf(e.getKey()).toLowerCase(Locale.ROOT), e.getValue());
        }
        return out;
    }

    private long asLong(String key, Object v, long min, long max) {
        Long x = exactLong(v);
        if (x == null) {
            throw new SweepSpecException(file, key, "expected an integer, got '" + YamlLimits.brief(v) + "'");
        }
        if (x < min || x > max) {
            throw new SweepSpecException(file, key, "must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    /**
     * {@code v} as a long when it is exactly an integer that a long holds; null otherwise (a
     * fraction, a number beyond the long range, a double too large to be exact, not a number).
     */
    public static Long exactLong(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return b.bitLength() < 64 ? b.longValue() : null;
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return d == Math.rint(d) && Math.abs(d) <= (double) (1L << 53) ? (long) d : null;
        }
        return null;
    }

    /** The number of trials the grid and random samples make before exclude rules and merging; saturates. */
    private long plannedTrials() {
        long n = samples;
        for (List<Object> values : grid.values()) {
            try {
                n = Math.multiplyExact(n, values.size());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** Trials the grid and random samples make, before exclude rules and merging of identical configs. */
    public long plannedTrialCount() {
        return plannedTrials;
    }

    /** Keys used anywhere in the spec (for the dry-run summary). */
    public Set<String> axes() {
        Set<String> s = new LinkedHashSet<>(grid.keySet());
        s.addAll(random.keySet());
        return s;
    }
}
