package org.reconvene.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The jobs' packages depend one way (docs/DESIGN.md): results at the bottom (the on-disk layout and
 * the one reader), then sweep (sweep files, Spark tasks), then search, then report and bench, with
 * the cli on top.
 */
class JobsPackagesTest {

    /** Each package, and the jobs packages it may not use. */
    private static final Map<String, Set<String>> MAY_NOT_USE = Map.of(
            "results", Set.of("sweep", "search", "report", "bench", "cli"),
            "sweep", Set.of("search", "report", "bench", "cli"),
            "search", Set.of("report", "bench", "cli"),
            "report", Set.of("bench", "cli"),
            "bench", Set.of("cli"));

    @Test
    void theJobsPackagesDependOneWay() {
        PackageGraph g = PackageGraph.of(Path.of("src/main/java"));
        assertEquals(List.of(), g.cycle(), "a package cycle; graph " + g.uses());
        assertTrue(g.uses().keySet().containsAll(MAY_NOT_USE.keySet()), "packages read: " + g.uses().keySet());
        MAY_NOT_USE.forEach((p, forbidden) -> {
            Set<String> used = new HashSet<>(g.uses().getOrDefault(p, Set.of()));
            used.retainAll(forbidden);
            assertEquals(Set.of(), used, p + " uses packages above it; graph " + g.uses());
        });
    }
}
