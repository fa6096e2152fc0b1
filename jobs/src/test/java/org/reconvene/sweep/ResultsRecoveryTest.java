package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultTable;
import org.reconvene.results.RowWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reconvene.cli.ReconveneCli;
import org.reconvene.report.MethodStats;
import org.reconvene.report.ReportJob;
import org.reconvene.report.Results;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialResult;

/**
 * The results store under every fault found so far: resume after the run that generated its
 * data, a writer killed mid-commit, a driver interrupted by a signal, damaged and foreign files,
 * one trial in two sweeps, racing writers of one row, and a resume under another thread count.
 * After each fault, DuckDB (not Spark) reads the table back: every visible file readable, every
 * trial once.
 */
class ResultsRecoveryTest extends SparkTestBase {

    private static final Configuration HADOOP = new Configuration();

    /** Four tiny trials (dense and upai, two seeds) on data the sweep generates under a relative path. */
    private static String yaml(String name, String seeds) {
        return yaml(name, seeds, 1);
    }

    /** The same trials, each timing {@code latencyRuns} runs. */
    private static String yaml(String name, String seeds, int latencyRuns) {
        return String.join("\n",
                "name: " + name,
                "data:",
                "  synthetic: {uri: data/gen, generate: {classes: 4, train: 64, test: 16, seed: 1}}",
                "defaults: {model: resnet20, epochs: 1, max_batches: 1, batch_size: 16, latency_runs: " + latencyRuns + ",",
                "           synflow_rounds: 2, sparsity: 0.9}",
                "grid:",
                "  method: [dense, upai]",
                "  seed: " + seeds,
                "");
    }

    private static SweepSpec spec(Path dir, String name, String seeds) {
        return SweepSpec.parse(yaml(name, seeds), name + ".yaml", dir);
    }

    private static Set<String> ids(SweepSpec s) {
        return s.trials().stream().map(TrialConfig::trialId).collect(Collectors.toSet());
    }

    private static void assertEachTrialOnce(Path results, Set<String> expected) throws Exception {
        Map<String, Integer> rows = DuckDbRows.rowsPerTrial(results);
        assertEquals(expected, rows.keySet(), "trials DuckDB reads");
        rows.forEach((id, n) -> assertEquals(1, n, "rows of trial " + id));
    }

    private static List<Path> files(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private static int check(Path results) {
        return ReconveneCli.execute("results", "check", results.toString());
    }

    @Test
    void aResumeAfterTheRunThatGeneratedItsDataRunsNothing(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results");
        SweepSpec first = spec(dir, "t", "[0, 1]");
        assertFalse(Files.exists(dir.resolve("data/gen")), "the first run generates the data");
        assertEquals(4, SweepJob.run(spark, first, new SweepJob.Options(results.toString(), false, false, 0)).ran());
        // Read again now that data/gen exists: the same trials, with the same ids.
        SweepSpec again = spec(dir, "t", "[0, 1]");
        assertEquals(ids(first), ids(again));
        SweepJob.Outcome resumed = SweepJob.run(spark, again, new SweepJob.Options(results.toString(), true, false, 0));
        assertEquals(0, resumed.ran());
        assertEquals(4, resumed.skipped());
        assertEachTrialOnce(results, ids(first));
        assertEquals(0, check(results));
    }

    @Test
    void damagedRowsAreRedoneAndForeignFilesNeverStopResumeOrReport(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results");
        SweepSpec s = spec(dir, "t", "[0, 1]");
        SweepJob.run(spark, s, new SweepJob.Options(results.toString(), false, false, 0));
        Path sweepDir = results.resolve("sweep=t");
        Path damaged = files(sweepDir, ".parquet").get(0);
        String damagedId = damaged.getFileName().toString().replace(".parquet", "");
        byte[] bytes = Files.readAllBytes(damaged);
        Files.write(damaged, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.writeString(sweepDir.resolve("notes.txt"), "a user's note\n");
        Files.write(sweepDir.resolve("empty.parquet"), new byte[0]);
        DuckDbRows.writeForeign(sweepDir.resolve("export.parquet"));

        ResultScan scan = ResultTable.at(results.toString(), HADOOP).scan(null);
        assertEquals(3, scan.rows().size());
        assertEquals(4, scan.problems().size(), scan.problems().toString());
        assertTrue(scan.warnings().stream().anyMatch(w -> w.contains(damaged.getFileName().toString())
                && w.contains("unreadable")), scan.warnings().toString());
        assertEquals(1, check(results));
        // The report reads what is readable.
        assertEquals(3, Results.load(spark, results.toString()).count());
        ReportJob.build(Results.load(spark, results.toString()), null, 0.01);

        SweepJob.Outcome resumed = SweepJob.run(spark, s, new SweepJob.Options(results.toString(), true, false, 0));
        assertEquals(1, resumed.ran(), "only the trial whose row was damaged runs again");
        assertEquals(4, rows(results.toString(), "t").count());
        assertEquals(4, ResultTable.at(results.toString(), HADOOP).scan("t").rows().size());
        assertTrue(ResultTable.at(results.toString(), HADOOP).scan("t").statuses().containsKey(damagedId));
        // The user's own files stay where they were; once they are moved, the table is healthy.
        assertEquals(1, check(results));
        for (String f : new String[] {"notes.txt", "empty.parquet", "export.parquet"}) {
            Files.delete(sweepDir.resolve(f));
        }
        assertEquals(0, check(results));
        assertEachTrialOnce(results, ids(s));
    }

    @Test
    void aWriterKilledMidCommitLeavesNoVisibleFileAndResumeCommitsEveryTrialOnce(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results");
        SweepSpec half = spec(dir, "t", "[0]");
        SweepJob.run(spark, half, new SweepJob.Options(results.toString(), false, false, 0));
        assertEachTrialOnce(results, ids(half));

        // A second driver resumes the full sweep and is killed (SIGKILL) while a row is staged.
        Path yaml = Files.writeString(dir.resolve("t.yaml"), yaml("t", "[0, 1]"));
        Path staging = results.resolve("sweep=t").resolve(ResultTable.STAGING);
        try (ChildSweep child = ChildSweep.start(dir, yaml, results,
                "-D" + RowWriter.PAUSE_BEFORE_PUBLISH_MS + "=120000")) {
            child.awaitWhileRunning(() -> Files.isDirectory(staging) && staging.toFile().list().length > 0, 240,
                    "staged row");
            child.signal("KILL");
            assertEquals(137, child.exitCode(30));
        }
        assertEquals(1, files(staging, ResultTable.STAGING_SUFFIX).size());
        assertEachTrialOnce(results, ids(half));
        assertEquals(1, check(results), "stale staging is reported");
        // A staging file of an earlier version, which DuckDB's glob would have read as a second row.
        Files.copy(files(results, ".parquet").get(0), results.resolve("sweep=t").resolve("_tmp-x-y.parquet"));

        SweepSpec full = spec(dir, "t", "[0, 1]");
        SweepJob.Outcome resumed = SweepJob.run(spark, full, new SweepJob.Options(results.toString(), true, false, 0));
        assertEquals(2, resumed.ran());
        assertEquals(List.of(), files(results, ResultTable.STAGING_SUFFIX));
        assertFalse(Files.exists(results.resolve("sweep=t").resolve("_tmp-x-y.parquet")));
        assertEachTrialOnce(results, ids(full));
        assertEquals(0, check(results));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void anInterruptedDriverSaysOneLineAndExitsWithTheSignalsCode(String signal, @TempDir Path dir) throws Exception {
        // A background job of a shell without job control starts with SIGINT ignored, every child
        // inherits that, and the JVM then installs no handler for it: the child sweep could not
        // see the interrupt. Where this JVM finds SIGINT ignored, the INT case cannot be tested.
        Assumptions.assumeFalse(signal.equals("INT") && sigintIgnored(),
                "SIGINT is ignored in this process tree (started as a background job without job control)");
        Path results = dir.resolve("results");
        // Trials long enough (100 timed runs each) that the second pair is still running when the
        // first row commits and the signal arrives; with 1 run the sweep could finish first.
        Path yaml = Files.writeString(dir.resolve("t.yaml"), yaml("t", "[0, 1]", 100));
        Path sweepDir = results.resolve("sweep=t");
        int code;
        String err;
        try (ChildSweep child = ChildSweep.start(dir, yaml, results)) {
            child.awaitWhileRunning(() -> Files.isDirectory(sweepDir) && sweepDir.toFile().list((d, n) ->
                    n.endsWith(".parquet")).length > 0, 240, "committed row");
            child.signal(signal);
            code = child.exitCode(60);
            err = child.err();
        }
        assertEquals(signal.equals("TERM") ? 143 : 130, code, err);
        List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.matches("interrupted: [1-4] of 4 trials committed; rerun with --resume"), err);
        assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("failed:"), err);
        int committed = Integer.parseInt(last.replaceAll("interrupted: (\\d) of.*", "$1"));
        Map<String, Integer> rows = DuckDbRows.rowsPerTrial(results);
        assertEquals(committed, rows.size(), "the line counts what is committed");
        rows.forEach((id, n) -> assertEquals(1, n, "rows of trial " + id));
    }

    /** Whether this JVM started with SIGINT ignored (then it cannot install a handler). */
    private static boolean sigintIgnored() {
        sun.misc.Signal intr = new sun.misc.Signal("INT");
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(intr, s -> {});
        if (previous == sun.misc.SignalHandler.SIG_IGN) {
            return true;
        }
        sun.misc.Signal.handle(intr, previous);
        return false;
    }

    @Test
    void aTrialInTwoSweepsCountsOnceInTheReport(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results");
        String upai = "name: %s\ndata:\n  synthetic: {uri: data/gen, generate: {classes: 4, train: 64, test: 16, seed: 1}}\n"
                + "defaults: {model: resnet20, method: upai, epochs: 1, max_batches: 1, batch_size: 16, latency_runs: 1,"
                + " synflow_rounds: 2, sparsity: 0.9}\ngrid: {seed: [0, 1]}\n";
        for (String name : new String[] {"a", "b"}) {
            SweepJob.run(spark, SweepSpec.parse(upai.formatted(name), name, dir),
                    new SweepJob.Options(results.toString(), false, false, 0));
        }
        ResultScan scan = ResultTable.at(results.toString(), HADOOP).scan(null);
        assertEquals(4, scan.rows().size());
        assertEquals(2, scan.sharedAcrossSweeps());
        assertTrue(scan.healthy(), "the same trial in two sweeps is not a fault");
        for (String sweep : new String[] {null, "a", "b"}) {
            ReportJob.Report r = ReportJob.build(Results.load(spark, results.toString()), sweep, 0.01);
            MethodStats u = r.stats().stream().filter(m -> m.method().equals("upai")).findFirst().orElseThrow();
            assertEquals(2, u.seeds(), "seeds of upai in sweep " + sweep);
        }
    }

    @Test
    void racingWritersOfOneRowBothSucceedAndTheRowIsNeverAbsent(@TempDir Path dir) throws Exception {
        String results = dir.resolve("results").toString();
        TrialConfig t = spec(dir, "t", "[0]").trials().get(0);
        TrialResult r = new TrialResult(t.trialId(), null, TrialResult.Status.FAILED, "x.Error", "made by the test",
                t.toMap(), new org.reconvene.metrics.MetricValues(), List.of(), List.of(), Map.of());
        ResultTable.at(results, HADOOP).commit("t", r);
        Path row = Path.of(java.net.URI.create(ResultTable.at(results, HADOOP).rowPath("t", t.trialId(), null).toUri().toString()));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean absent = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> watcher = pool.submit(() -> {
                while (!stop.get()) {
                    absent.compareAndSet(false, !Files.exists(row));
                }
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        ResultTable.at(results, HADOOP).commit("t", r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
            stop.set(true);
            watcher.get();
        } finally {
            pool.shutdownNow();
        }
        assertFalse(absent.get(), "the row was absent at some instant during the rewrites");
        assertEachTrialOnce(dir.resolve("results"), Set.of(t.trialId()));
        assertEquals(List.of(), files(dir.resolve("results"), ResultTable.STAGING_SUFFIX));
    }

    @Test
    void aResumeUnderAnotherThreadCountIsRefused(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results");
        SweepSpec s = spec(dir, "t", "[0]");
        SweepJob.run(spark, s, new SweepJob.Options(results.toString(), false, false, 0));
        spark.stop();
        SparkSession twoThreads = SparkSession.builder().master("local[2]").appName("reconvene-test-threads")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.task.cpus", "2").getOrCreate();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweepJob.run(twoThreads, s, new SweepJob.Options(results.toString(), true, false, 0)));
            assertTrue(e.getMessage().contains("thread") && e.getMessage().contains("[1]")
                    && e.getMessage().contains("uses 2"), e.getMessage());
        } finally {
            twoThreads.stop();
            startSpark();
        }
        assertEachTrialOnce(results, ids(s));
    }
}
