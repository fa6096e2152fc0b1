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
                        ResNetArchitecture.resnet18())) {
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
            throw new IllegalArgumentException(
                    "unknown model '" + name + "'; known models: " + String.join(", ", ZOO.keySet()));
        }
        return a;
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
