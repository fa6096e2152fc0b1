package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every sweep file shipped in conf/sweeps validates, with the trial counts its comments state. */
class ShippedSweepsTest {

    private static final Path CONF = Path.of("..", "conf", "sweeps");

    @Test
    void everyShippedSweepValidates() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(CONF)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 3, "sweeps found: " + files);
        for (Path f : files) {
            // paths in the shipped files are relative to the repository root, where the README runs them
            SweepSpec spec = SweepSpec.parse(Files.readString(f), f.toString(), Path.of("..").toAbsolutePath().normalize());
            assertTrue(!spec.trials().isEmpty(), f.toString());
            assertEquals(f.getFileName().toString().replace(".yaml", ""), spec.name(), "name matches file " + f);
        }
    }

    @Test
    void paperGridsHaveTheDocumentedSize() {
        // per model and seed: 1 dense + 5 sparsities x (5 scorers x 3 scored methods + 2 uniform baselines)
        assertEquals(4 * 3 * (1 + 5 * (5 * 3 + 2)), SweepSpec.load(CONF.resolve("paper-cifar10.yaml")).trials().size());
        assertEquals(3 * (1 + 5 * (5 * 3 + 2)), SweepSpec.load(CONF.resolve("paper-tinyimagenet.yaml")).trials().size());
        assertEquals(6, SweepSpec.load(CONF.resolve("quickstart.yaml")).trials().size());
    }
}
