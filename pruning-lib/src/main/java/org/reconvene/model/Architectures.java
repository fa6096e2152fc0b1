package org.reconvene.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.reconvene.data.ModelFiles;
import org.reconvene.data.Uris;

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

    /** Architectures imported from ONNX files in this JVM, by name (which includes the content digest). */
    private static final Map<String, ImportedArchitecture> IMPORTED =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    private Architectures() {}

    /**
     * Imports the ONNX file at {@code uri} (a path or any Hadoop URI), read now, so a changed file
     * is a new architecture; the result is also found by its {@link ImportedArchitecture#name()}.
     *
     * @throws IllegalArgumentException naming the file (and node) if it cannot be read or imported
     */
    public static ImportedArchitecture importFile(String uri) {
        String canonical = Uris.canonical(uri);
        byte[] bytes = ModelFiles.read(canonical);
        return register(bytes, canonical);
    }

    /**
     * Imports the ONNX model in {@code bytes} (read from {@code source}) unless an architecture of
     * the same content is already known, and returns it.
     */
    public static ImportedArchitecture register(byte[] bytes, String source) {
        return register(bytes, source, ImportedArchitecture.stem(source));
    }

    /** As {@link #register(byte[], String)}, naming a new architecture {@code stem} and its digest. */
    static ImportedArchitecture register(byte[] bytes, String source, String stem) {
        String digest = ImportedArchitecture.sha256(bytes);
        synchronized (IMPORTED) {
            for (ImportedArchitecture a : IMPORTED.values()) {
                if (a.digest().equals(digest)) {
                    return a;
                }
            }
            ImportedArchitecture a = new ImportedArchitecture(source, bytes, stem);
            IMPORTED.put(a.name(), a);
            return a;
        }
    }

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

    /** Forgets every imported architecture, as a fresh JVM would start (for tests of saved networks). */
    static void forgetImported() {
        IMPORTED.clear();
    }

    /** All architectures in a stable order. */
    public static Collection<Architecture> all() {
        synchronized (ZOO) {
            return List.copyOf(ZOO.values());
        }
    }

    /**
     * The architecture called {@code name}: a zoo model, an ONNX file to import (a path or URI
     * ending in {@code .onnx}, see {@link #importFile}), or an architecture imported earlier in this
     * JVM, by its name.
     */
    public static Architecture get(String name) {
        if (ImportedArchitecture.isFile(name)) {
            return importFile(name);
        }
        Architecture a = ZOO.get(name);
        if (a == null) {
            a = IMPORTED.get(name);
        }
        if (a == null) {
            String near = closest(String.valueOf(name), ZOO.keySet());
            throw new IllegalArgumentException("unknown model '" + name + "'" + (near == null ? "" : "; did you mean '"
                    + near + "'?") + " Known models: " + String.join(", ", ZOO.keySet())
                    + ", or the path or URI of an ONNX file (.onnx)");
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
