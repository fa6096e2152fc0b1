package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.cli.ReconveneCli;
import org.reconvene.report.ReportJob;
import org.reconvene.report.Results;
import org.reconvene.results.RowWriter;
import org.reconvene.trial.TrialConfig;

/**
 * The sweep faults of the reliability pass (issue: search reruns, checkpoints, loaders, commits):
 * a row commit that fails, a foreign row with a column of another type, a name the file system
 * cannot take. After each, DuckDB reads the table back.
 */
class SweepFaultsTest extends SparkTestBase {

    private static String yaml(String name) {
        return String.join("\n",
                "name: " + name,
                "data:",
                "  synthetic: {uri: data/gen, generate: {classes: 4, train: 64, test: 16, seed: 1}}",
                "defaults: {model: resnet20, epochs: 1, max_batches: 1, batch_size: 16, latency_runs: 1,",
                "           synflow_rounds: 2, sparsity: 0.9}",
                "grid:",
                "  method: [dense, upai, spai-l1]",
                "");
    }

    /** A commit that fails (a full disk, simulated for one trial) makes that trial FAILED with the cause; the sweep goes on. */
    @Test
    void aFailedCommitIsAFailedRowAndTheSweepGoesOn(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.parse(yaml("c"), "c.yaml", dir);
        Path results = dir.resolve("results");
        String victim = spec.trials().get(1).trialId();
        System.setProperty(RowWriter.FAIL_COMMIT_OF, victim);
        SweepJob.Outcome o;
        try {
            o = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), false, false, 0));
        } finally {
            System.clearProperty(RowWriter.FAIL_COMMIT_OF);
        }
        assertEquals(3, o.ran());
        assertEquals(1, o.failed());
        Map<String, Row> rows = rows(results.toString(), "c").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("trial_id"), r -> r));
        Row failed = rows.get(victim);
        assertEquals("FAILED", failed.getAs("status"));
        String message = failed.getAs("error_message");
        assertTrue(message.contains("could not be committed") && message.contains("No space left"), message);
        rows.values().stream().filter(r -> r != failed).forEach(r -> assertEquals("OK", r.getAs("status")));
        assertEquals(spec.trials().stream().map(TrialConfig::trialId).collect(Collectors.toSet()),
                DuckDbRows.rowsPerTrial(results).keySet());
        // and a --retry-failed commits it for real
        SweepJob.Outcome retried = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), false, true, 0));
        assertEquals(1, retried.ran());
        assertEquals(0, retried.failed());
    }

    /**
     * A row file whose {@code seed} is INT32 (a foreign writer's) would make Spark refuse to merge the
     * table's schemas: every reader names it and skips it, and {@code results check} reports it.
     */
    @Test
    void aRowWithAColumnOfAnotherTypeIsNamedAndSkippedByEveryReader(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.parse(yaml("t"), "t.yaml", dir);
        Path results = dir.resolve("results");
        SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), false, false, 0));
        Path foreign = results.resolve("sweep=t").resolve("0000000000000000.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 't' AS sweep_id, '0000000000000000' AS trial_id, 'OK' AS status, "
                    + "CAST(7 AS INTEGER) AS seed, 0.5 AS top1) TO '" + foreign + "' (FORMAT PARQUET)");
        }
        assertEquals(3, rows(results.toString(), "t").count(), "the sweep's reader skips it");
        assertEquals(3, Results.load(spark, results.toString()).count(), "the report's reader skips it");
        ReportJob.build(Results.load(spark, results.toString()), "t", 0.01);
        SweepJob.Outcome resumed = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), true, false, 0));
        assertEquals(0, resumed.ran());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream was = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = ReconveneCli.execute("results", "check", results.toString());
        } finally {
            System.setOut(was);
        }
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, report);
        assertTrue(report.contains(foreign.getFileName().toString()) && report.contains("column seed is INT32"), report);
    }

    /** A name longer than a directory name can be is refused when the file is read: --dry-run, before any trial. */
    @Test
    void aNameTheFileSystemCannotTakeIsRefusedByDryRun(@TempDir Path dir) throws Exception {
        String longName = "n".repeat(300);
        SweepSpecException e = assertThrows(SweepSpecException.class,
                () -> SweepSpec.parse(yaml(longName), "long.yaml", dir));
        assertTrue(e.getMessage().contains("'name'") && e.getMessage().contains("300 characters"), e.getMessage());
        Path file = dir.resolve("long.yaml");
        Files.writeString(file, yaml(longName));
        assertEquals(ReconveneCli.EXIT_BAD_INPUT, ReconveneCli.execute("sweep", file.toString(), "--dry-run"));
        assertFalse(Files.exists(dir.resolve("data")), "nothing written");
    }
}
