package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep and results commands on bad input: exit 2, a message naming what is wrong, nothing written. */
class SweepCommandTest {

    private static String sweep(Path data) {
        return "name: t\ndata:\n  synthetic: {uri: '" + data + "', generate: {classes: 4, train: 16, test: 8}}\n"
                + "defaults: {model: resnet20, method: dense, epochs: 1, max_batches: 1}\n";
    }

    @Test
    void resultsNamingARegularFileIsRefusedBeforeAnyTrialRuns(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("t.yaml"), sweep(dir.resolve("data")));
        Path file = Files.writeString(dir.resolve("results.txt"), "not a directory\n");
        CliRun r = CliRun.of("sweep", yaml.toString(), "--results", file.toString());
        assertEquals(ReconveneCli.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--results") && r.err().contains("results.txt") && r.err().contains("is a file"),
                r.err());
        assertFalse(Files.exists(dir.resolve("data")), "no data generated");
        assertEquals("not a directory\n", Files.readString(file));
        CliRun under = CliRun.of("sweep", yaml.toString(), "--results", file.resolve("sub").toString());
        assertEquals(ReconveneCli.EXIT_BAD_INPUT, under.exit(), under.err());
        assertTrue(under.err().contains("under the file"), under.err());
    }

    @Test
    void aDryRunOfAHundredMillionTrialsIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        String axis = IntStream.range(1, 101).mapToObj(i -> "0.00" + i).collect(Collectors.joining(", "));
        Path yaml = Files.writeString(dir.resolve("big.yaml"), sweep(dir.resolve("data")).replace("method: dense", "method: upai")
                + "grid:\n  sparsity: [" + axis + "]\n  lr: [" + axis + "]\n  momentum: [" + axis + "]\n  weight_decay: ["
                + axis + "]\n");
        CliRun r = CliRun.of("sweep", yaml.toString(), "--dry-run");
        assertEquals(ReconveneCli.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("big.yaml") && r.err().contains("100000000 trials"), r.err());
        CliRun capped = CliRun.of("sweep", yaml.toString(), "--dry-run", "--max-trials", "0");
        assertEquals(ReconveneCli.EXIT_BAD_INPUT, capped.exit());
        assertTrue(capped.err().contains("--max-trials"), capped.err());
        assertFalse(Files.exists(dir.resolve("data")));
    }

    @Test
    void resultsCheckOfAMissingLocationIsBadInput(@TempDir Path dir) {
        CliRun r = CliRun.of("results", "check", dir.resolve("none").toString());
        assertEquals(ReconveneCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("no results at") && r.err().contains("none"), r.err());
    }

    @Test
    void resultsCheckNamesEveryProblemFile(@TempDir Path dir) throws Exception {
        Path sweepDir = Files.createDirectories(dir.resolve("results/sweep=t"));
        Files.writeString(sweepDir.resolve("abc.parquet"), "PAR1 but not really");
        Files.createDirectories(sweepDir.resolve("_staging"));
        Files.writeString(sweepDir.resolve("_staging/abc-1.inprogress"), "half a row");
        CliRun r = CliRun.of("results", "check", dir.resolve("results").toString());
        assertEquals(ReconveneCli.EXIT_FAILURE, r.exit(), r.out());
        assertTrue(r.out().contains("0 rows, 0 trials"), r.out());
        assertTrue(r.out().contains("unreadable or foreign files: 1") && r.out().contains("abc.parquet: unreadable"), r.out());
        assertTrue(r.out().contains("staging files of interrupted commits") && r.out().contains("abc-1.inprogress"),
                r.out());
        assertTrue(r.out().trim().endsWith("problems found"), r.out());
    }
}
