package org.reconvene.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model zoo: every architecture the platform builds, looked up by name.
 *
 * <p>Names and dataset support follow docs/METHOD.md section 6. Lookups of unknown names fail with
 * a message that lists the known ones.
 */
public final class Architectures {

    private static final Map<String, Architecture> ZOO =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    static {
        for (Architecture a :
                List.of(
                        VggArchitecture.vgg11(),
                        VggArchitecture.vgg13(),
                        VggArchitecture.vgg16(),
                        VggArchitecture.vgg19(),
                        ResNetArchitecture.cifar(20),
                        ResNetArchitecture.cifar(32),
                        ResNetArchitecture.cifar(56),
                        ResNetArchitecture.resnet18(),
                        MobileNetV2Architecture.cifar())) {
            ZOO.put(a.name(), a);
        }
    }

    private Architectures() {}

    /**
     * Adds an architecture to the zoo (for extensions and for tests that need small custom
     * graphs); a name already taken is an error.
     */
    public static synchronized void register(Architecture arch) {
        if (ZOO.containsKey(arch.name())) {
            throw new IllegalArgumentException("model name '" + arch.name() + "' is already registered");
        }
        ZOO.put(arch.name(), arch);
    }

    /** All architectures in a stable order. */
    public static Collection<Architecture> all() {
        synchronized (ZOO) {
            return List.copyOf(ZOO.values());
        }
    }

    /** The architecture called {@code name}. */
    public static Architecture get(String name) {
        Architecture a = ZOO.get(name);
        if (a == null) {
            String near = closest(String.valueOf(name), ZOO.keySet());
            throw new IllegalArgumentException("unknown model '" + name + "'" + (near == null ? "" : "; did you mean '"
                    + near + "'?") + " Known models: " + String.join(", ", ZOO.keySet()));
        }
        return a;
    }

    /** The known name at most two edits from {@code name} (the closest, first on a tie), or null. */
    static String closest(String name, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = editDistance(name.toLowerCase(java.util.Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Builds the graph of {@code spec} with its own architecture (BatchNorm folded if the spec says so). */
    public static List<Layer> build(ModelSpec spec) {
        List<Layer> graph = get(spec.arch()).build(spec);
        return spec.batchNormFolded() ? BatchNormFolding.foldGraph(graph) : graph;
    }

    static void checkSpec(Architecture arch, ModelSpec spec, Set<String> expected) {
        if (!spec.arch().equals(arch.name())) {
            throw new IllegalArgumentException(
                    "spec is for " + spec.arch() + ", not " + arch.name());
        }
        if (!spec.widths().keySet().equals(expected)) {
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(spec.widths().keySet());
            List<String> extra = new ArrayList<>(spec.widths().keySet());
            extra.removeAll(expected);
            throw new IllegalArgumentException(
                    "spec of " + arch.name() + " has wrong layers: missing " + missing
                            + ", unexpected " + extra);
        }
    }

    static int positiveWidth(ModelSpec spec, String conv) {
        int w = spec.width(conv);
        if (w < 1) {
            throw new IllegalArgumentException(
                    "spec of " + spec.arch() + ": width of '" + conv + "' must be at least 1, got " + w);
        }
        return w;
    }
}
