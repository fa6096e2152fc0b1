package org.reconvene.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The library's packages depend one way; docs/DESIGN.md draws the same graph. */
class PackageDependenciesTest {

    @Test
    void theLibrarysPackagesHaveNoCycle() {
        PackageGraph g = PackageGraph.of(Path.of("src/main/java"));
        assertTrue(g.uses().size() >= 10, "packages read: " + g.uses().keySet());
        assertEquals(List.of(), g.cycle(), "a package cycle; graph " + g.uses());
        // The layers at the bottom use nothing above them.
        assertFalse(g.uses().get("mask").contains("score"), "mask uses score: " + g.uses().get("mask"));
        assertEquals(Set.of(), Set.copyOf(g.uses().get("engine")), "engine is the bottom layer");
    }

    @Test
    void theGraphFindsACycleWhenThereIsOne() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("graph");
        java.nio.file.Files.writeString(dir.resolve("A.java"), "package org.reconvene.a;\nimport org.reconvene.b.B;\n");
        java.nio.file.Files.writeString(dir.resolve("B.java"), "package org.reconvene.b;\nclass B { org.reconvene.a.A a; }\n");
        java.nio.file.Files.writeString(dir.resolve("C.java"), "package org.reconvene.c;\nimport org.reconvene.a.A;\n"
                + "class C { String main = \"org.reconvene.d.Main\"; }\n");
        PackageGraph g = PackageGraph.of(dir);
        assertEquals(Map.of("a", Set.of("b"), "b", Set.of("a"), "c", Set.of("a")), g.uses());
        assertEquals(List.of("a", "b", "a"), g.cycle());
    }
}
