package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.reconvene.trial.TrialConfig;

/** Parsing, validation and expansion of sweep files. */
class SweepSpecTest {

    private static final Path BASE = Path.of("/tmp/base");

    private static SweepSpec parse(String yaml) {
        return SweepSpec.parse(yaml, "test.yaml", BASE);
    }

    private static final String VALID = String.join("\n",
            "name: demo",
            "data:",
            "  synthetic: {uri: data/syn, generate: {classes: 10, train: 100, test: 20}}",
            "defaults: {epochs: 2, lr: 0.05}",
            "grid:",
            "  model: [resnet20]",
            "  method: [dense, upai, reconvene]",
            "  scorer: [snip, synflow]",
            "  seed: [0, 1]",
            "exclude:",
            "  - {method: reconvene, scorer: snip}");

    @Test
    void gridExpandsExcludesAndDeduplicates() {
        SweepSpec s = parse(VALID);
        // dense: 1 per seed (scorer does not apply); upai: 2 scorers; reconvene: synflow only
        assertEquals(2 * (1 + 2 + 1), s.trials().size());
        Set<String> ids = s.trials().stream().map(TrialConfig::trialId).collect(Collectors.toSet());
        assertEquals(s.trials().size(), ids.size());
        TrialConfig t = s.trials().get(0);
        assertEquals(2, t.training().epochs());
        assertEquals(0.05, t.training().learningRate());
        assertEquals("file:///tmp/base/data/syn", t.dataUri().replaceAll("/$", ""));
        assertTrue(s.trials().stream().noneMatch(x -> x.pruning().method().configName().equals("reconvene")
                && x.pruning().scorer().equals("snip")));
    }

    @Test
    void randomAxesAreSeededAndWithinTheirRanges() {
        String yaml = String.join("\n", "name: r", "seed: 7", "data: {synthetic: {uri: 'hdfs://nn/x'}}",
                "grid: {model: resnet20, method: upai}",
                "random: {samples: 5, axes: {sparsity: {uniform: [0.5, 0.9]}, lr: {loguniform: [0.001, 0.1]},"
                        + " scorer: {choice: [snip, magnitude]}}}");
        List<TrialConfig> a = parse(yaml).trials();
        List<TrialConfig> b = parse(yaml).trials();
        assertEquals(5, a.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(a.get(i).trialId(), b.get(i).trialId());
            assertTrue(a.get(i).pruning().sparsity() >= 0.5 && a.get(i).pruning().sparsity() < 0.9);
            assertTrue(a.get(i).training().learningRate() >= 0.001 && a.get(i).training().learningRate() < 0.1);
        }
        assertEquals("hdfs://nn/x", a.get(0).dataUri());
        assertTrue(parse(yaml.replace("seed: 7", "seed: 8")).trials().get(0).pruning().sparsity()
                != a.get(0).pruning().sparsity());
    }

    @Test
    void errorsNameTheFileAndKey() {
        assertMessage("bogus: 1\n" + VALID, "test.yaml", "bogus");
        assertMessage(VALID.replace("defaults: {epochs: 2", "defaults: {epoch: 2"), "defaults.epoch");
        assertMessage(VALID.replace("lr: 0.05", "lr: fast"), "lr", "fast");
        assertMessage(VALID.replace("method: [dense, upai, reconvene]", "method: [dense, pruned]"), "pruned");
        assertMessage(VALID.replace("model: [resnet20]", "model: [resnet99]"), "resnet99");
        assertMessage(VALID.replace("synthetic: {uri", "mnist: {uri"), "data.mnist");
        assertMessage(VALID.replace("name: demo", "name: 'a b'"), "name");
        assertMessage(VALID.replace("defaults: {epochs: 2, lr: 0.05}", "defaults: {sparsity: 1.5}"), "sparsity");
        assertMessage(VALID + "\n  - {method: [dense, upai, reconvene]}", "no trials");
        assertMessage("name: [unclosed", "test.yaml", "YAML");
    }

    private static void assertMessage(String yaml, String... parts) {
        SweepSpecException e = assertThrows(SweepSpecException.class, () -> parse(yaml));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
        }
    }
}
