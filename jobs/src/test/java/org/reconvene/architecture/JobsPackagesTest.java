package org.reconvene.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jobs' packages depend one way: cli on top, then report and bench, then sweep. */
class JobsPackagesTest {

    @Test
    void theJobsPackagesHaveNoCycleAndTheCliIsOnTop() {
        PackageGraph g = PackageGraph.of(Path.of("src/main/java"));
        assertEquals(List.of(), g.cycle(), "a package cycle; graph " + g.uses());
        for (String p : List.of("sweep", "report", "bench")) {
            assertFalse(g.uses().getOrDefault(p, java.util.Set.of()).contains("cli"), p + " uses cli: " + g.uses());
        }
    }
}
