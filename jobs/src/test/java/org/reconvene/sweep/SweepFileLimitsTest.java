package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweep files that must be refused, quickly, with a short message naming the file and key: the
 * inputs that once hung the driver, exhausted its memory or silently changed a value.
 */
class SweepFileLimitsTest {

    private static final Path BASE = Path.of("/tmp/base");
    private static final String HEAD = "name: t\ndata:\n  synthetic: {uri: data/syn}\n";

    private static SweepSpecException refused(String yaml) {
        return assertThrows(SweepSpecException.class, () -> SweepSpec.parse(yaml, "t.yaml", BASE));
    }

    /** A message names the file and stays short, whatever the input holds. */
    private static void shortAndNamed(SweepSpecException e, String... parts) {
        assertTrue(e.getMessage().startsWith("t.yaml: "), e.getMessage());
        assertTrue(e.getMessage().length() < 600, "message of " + e.getMessage().length() + " characters");
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        shortAndNamed(refused(HEAD + "defaults: {epochs: 1}\ngrid:\n  model: [resnet20]\n  method: [dense]\n"
                + "  method: [upai]\n"), "method", "duplicate");
    }

    /** Aliases nested k deep, each naming the previous one 4 times: 4^k values once expanded. */
    private static String aliasBomb(int levels, String leaf) {
        StringBuilder y = new StringBuilder(HEAD).append("a0: &a0 [\"").append(leaf).append("\"]\n");
        for (int i = 1; i < levels; i++) {
            y.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append(", *a").append(i - 1).append(", *a").append(i - 1).append("]\n");
        }
        return y.toString();
    }

    @Test
    void anAliasBombIsRefusedWithAShortMessage() {
        // 12 levels of 4 aliases (under SnakeYAML's default limit of 50): 16 million values.
        shortAndNamed(refused(aliasBomb(12, "x")));
        // The same with a 100 KB scalar at the bottom once made an OutOfMemoryError.
        shortAndNamed(refused(aliasBomb(11, "y".repeat(100_000))));
    }

    @Test
    void anAliasBombUnderTheParserLimitIsStoppedByTheExpansionBound() {
        // 2 aliases per level for 9 levels (18 aliases, under the parser's 20) over a list of 2,000
        // values: a million values once expanded.
        StringBuilder y = new StringBuilder(HEAD).append("x0: &x0 [").append(IntStream.range(0, 2000)
                .mapToObj(Integer::toString).collect(Collectors.joining(","))).append("]\n");
        for (int i = 1; i < 10; i++) {
            y.append("x").append(i).append(": &x").append(i).append(" [*x").append(i - 1).append(", *x")
                    .append(i - 1).append("]\n");
        }
        shortAndNamed(refused(y.toString()), "more than " + YamlLimits.MAX_VALUES + " values");
    }

    @Test
    void aRecursiveAliasIsRefused() {
        shortAndNamed(refused(HEAD + "grid: {model: &r [[*r]]}\n"), "recursive");
    }

    @Test
    void anOversizedFileIsRefusedBeforeItIsParsed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.yaml");
        Files.writeString(f, HEAD + "description: '" + "z".repeat(YamlLimits.MAX_BYTES) + "'\n");
        SweepSpecException e = assertThrows(SweepSpecException.class, () -> SweepSpec.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("at most"), e.getMessage());
        assertTrue(e.getMessage().length() < 600);
    }

    @Test
    void aLongValueIsQuotedOnlyAsAPrefix() {
        SweepSpecException e = refused(HEAD + "defaults: {model: resnet20, method: dense, epochs: '"
                + "9".repeat(50_000) + "'}\n");
        shortAndNamed(e, "epochs", "...");
    }

    @Test
    void integersOutOfRangeAreRefusedNotWrapped() {
        String grid = "grid: {model: [resnet20], method: [dense]}\n";
        shortAndNamed(refused(HEAD + "defaults: {epochs: 4294967297}\n" + grid), "epochs", "4294967297");
        shortAndNamed(refused(HEAD + "defaults: {samples_per_class: 4294967297, method: upai}\n"
                + "grid: {model: [resnet20]}\n"), "samples_per_class");
        shortAndNamed(refused(HEAD + "random: {samples: 4294967297, axes: {lr: {uniform: [0.01, 0.1]}}}\n" + grid),
                "random.samples");
        shortAndNamed(refused(HEAD + "defaults: {seed: 10000000000000000000}\n" + grid), "seed");
        shortAndNamed(refused(HEAD + "defaults: {seed: 1.0e19}\n" + grid), "seed");
        shortAndNamed(refused(HEAD + "seed: 1.0e19\n" + grid), "seed");
        shortAndNamed(refused("name: t\ndata:\n  synthetic: {uri: d, generate: {train: 4294967297}}\n" + grid),
                "data.synthetic.generate.train");
        // In range, they are kept exactly.
        SweepSpec ok = SweepSpec.parse(HEAD + "defaults: {seed: 9007199254740993, epochs: 3}\n" + grid, "t.yaml", BASE);
        assertEquals(9007199254740993L, ok.trials().get(0).seed());
    }

    @Test
    void aSweepAboveTheCapIsRefusedBeforeAnyTrialIsBuilt() {
        // 10^8 trials: counted, not built, so the refusal is immediate and costs no memory.
        StringBuilder y = new StringBuilder(HEAD).append("grid:\n  model: [resnet20]\n  method: [upai]\n");
        for (String k : new String[] {"sparsity", "lr", "momentum", "weight_decay"}) {
            y.append("  ").append(k).append(": [").append(IntStream.range(1, 101).mapToObj(i -> "0.00" + i)
                    .collect(Collectors.joining(", "))).append("]\n");
        }
        SweepSpecException e = refused(y.toString());
        shortAndNamed(e, "100000000 trials", "cap of " + SweepSpec.DEFAULT_MAX_TRIALS, "--max-trials");
        // Far beyond a long: saturates instead of overflowing.
        StringBuilder huge = new StringBuilder(y);
        for (int i = 0; i < 8; i++) {
            huge.append("  ").append(new String[] {"seed", "epochs", "batch_size", "samples_per_class", "alpha",
                    "min_channels", "pse_tau", "max_batches"}[i]).append(": [")
                    .append(IntStream.range(1, 1001).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                    .append("]\n");
        }
        shortAndNamed(refused(huge.toString()), "more than " + Long.MAX_VALUE);
        // The cap is configurable: a small sweep is refused under a cap of 1.
        String two = HEAD + "grid: {model: [resnet20], method: [dense], seed: [0, 1]}\n";
        assertThrows(SweepSpecException.class, () -> SweepSpec.parse(two, "t.yaml", BASE, 1));
        assertEquals(2, SweepSpec.parse(two, "t.yaml", BASE, 2).trials().size());
    }
}
