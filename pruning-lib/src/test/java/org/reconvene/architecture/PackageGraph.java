package org.reconvene.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which {@code org.reconvene} package uses which, read from the sources: every mention of
 * {@code org.reconvene.X.}, in imports and fully qualified names alike (not in string literals,
 * which name classes without using them). Tests assert that the
 * graph has no cycle, so packages keep depending one way.
 */
public final class PackageGraph {

    private static final Pattern PACKAGE = Pattern.compile("^package org\\.reconvene\\.(\\w+)", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("org\\.reconvene\\.(\\w+)\\.[A-Z]");
    /** String literals name classes without using them (a main class passed to spark-submit). */
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    private final Map<String, Set<String>> uses = new TreeMap<>();

    private PackageGraph() {}

    /** The graph of the Java sources under {@code root} (e.g. {@code src/main/java}). */
    public static PackageGraph of(Path root) {
        PackageGraph g = new PackageGraph();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher pkg = PACKAGE.matcher(src);
                if (!pkg.find()) {
                    continue;
                }
                Set<String> out = g.uses.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                Matcher m = USE.matcher(STRING.matcher(src).replaceAll("\"\""));
                while (m.find()) {
                    if (!m.group(1).equals(pkg.group(1))) {
                        out.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    /** Package to the packages it uses. */
    public Map<String, Set<String>> uses() {
        return uses;
    }

    /** One cycle, as the packages along it ({@code a -> b -> a}), or an empty list when there is none. */
    public List<String> cycle() {
        Map<String, Integer> state = new TreeMap<>();
        List<String> stack = new ArrayList<>();
        for (String p : uses.keySet()) {
            List<String> c = visit(p, state, stack);
            if (!c.isEmpty()) {
                return c;
            }
        }
        return List.of();
    }

    private List<String> visit(String p, Map<String, Integer> state, List<String> stack) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return List.of();
        }
        if (s != null && s == 1) {
            List<String> c = new ArrayList<>(stack.subList(stack.indexOf(p), stack.size()));
            c.add(p);
            return c;
        }
        state.put(p, 1);
        stack.add(p);
        for (String q : uses.getOrDefault(p, Set.of())) {
            List<String> c = visit(q, state, stack);
            if (!c.isEmpty()) {
                return c;
            }
        }
        stack.remove(stack.size() - 1);
        state.put(p, 2);
        return List.of();
    }
}
