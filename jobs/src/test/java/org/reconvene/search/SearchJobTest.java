package org.reconvene.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.deploy.InputTransform;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.pareto.Pareto;
import org.reconvene.results.ResultSchema;
import org.reconvene.results.ResultTable;
import org.reconvene.sweep.SparkTestBase;
import org.reconvene.sweep.SweepSpecException;

/** The budget search on local[2]: constraints before training, promotion, checkpoints, resume. */
class SearchJobTest extends SparkTestBase {

    private static final String YAML = String.join("\n",
            "name: tiny",
            "seed: 0",
            "data:",
            "  synthetic: {uri: DATA, generate: {classes: 10, train: 120, test: 30, seed: 1}}",
            "defaults: {model: resnet20, batch_size: 32, max_batches: 1, latency_runs: 1, scorer: magnitude}",
            "space:",
            "  method: [upai, reconvene, spai-l1]",
            "  sparsity: {min: 0.6, max: 0.95}",
            "constraints:",
            "  serialized_bytes: {max: 600000}",   // a masked ResNet-20 stores dense: 1.1 MB
            "objectives: {top1: max, serialized_bytes: min}",
            "budget: {candidates: 6, rungs: [1, 2], eta: 2}");

    private static SearchSpec spec(Path dir) {
        Map<String, Object> root = new org.yaml.snakeyaml.Yaml().load(YAML.replace("DATA", dir.resolve("data").toString()));
        return SearchSpec.of("tiny.yaml", root, dir);
    }

    @Test
    void infeasibleNeverTrainThePromotedAreTheBestShareAndResumeRedoesNothingFinished(@TempDir Path dir)
            throws Exception {
        SearchSpec search = spec(dir);
        String results = dir.resolve("results").toUri().toString();
        SearchJob.Outcome o = SearchJob.run(spark, search, new SearchJob.Options(results, false));
        ResultTable table = ResultTable.at(results, spark.sparkContext().hadoopConfiguration());
        Set<String> ids = search.candidates().trials().stream().map(t -> t.trialId()).collect(Collectors.toSet());
        Map<String, Row> r0 = SearchJob.rowsAt(spark, table, "tiny", 0, ids);
        Map<String, Row> r1 = SearchJob.rowsAt(spark, table, "tiny", 1, ids);
        assertEquals(search.candidates().trials().size(), r0.size(), "every candidate is measured");
        List<Row> feasible = new ArrayList<>();
        int infeasible = 0;
        for (Row x : r0.values()) {
            String id = x.getAs("trial_id");
            Path ckpt = Path.of(java.net.URI.create(table.checkpointPath("tiny", id, 0).toUri().toString()));
            if ("upai".equals(x.getAs("method"))) {
                assertEquals("INFEASIBLE", x.<String>getAs("status"), "a masked network stores dense: 1.1 MB");
            }
            if ("INFEASIBLE".equals(x.getAs("status"))) {
                infeasible++;
                assertTrue(((Number) x.getAs("serialized_bytes")).longValue() > 600_000, "it broke the constraint");
                assertTrue(x.<String>getAs("error_message").contains("serialized_bytes"), x.<String>getAs("error_message"));
                assertTrue(x.<Object>getList(x.fieldIndex("history")).isEmpty(), "an infeasible candidate never trains");
                assertEquals(null, (Object) x.getAs("top1"));
                assertNotNull(x.getAs("latency_ms_b1"), "but it is measured");
                assertFalse(Files.exists(ckpt), "and has no checkpoint");
            } else {
                assertEquals("OK", x.<String>getAs("status"), String.valueOf((Object) x.getAs("error_message")));
                assertEquals(1, x.<Object>getList(x.fieldIndex("history")).size());
                assertTrue(Files.exists(ckpt.resolve("optimizer.bin")));
                feasible.add(x);
            }
        }
        assertTrue(infeasible > 0 && !feasible.isEmpty(), infeasible + " infeasible of " + r0.size());
        assertEquals(infeasible, o.infeasible());
        // The promoted rows are exactly Pareto.best of rung 0 in trial-id order, ceil(n / eta) of them.
        feasible.sort(Comparator.comparing(x -> x.<String>getAs("trial_id")));
        List<double[]> points = new ArrayList<>();
        for (Row x : feasible) {
            points.add(new double[] {-x.<Double>getAs("top1"), ((Number) x.getAs("serialized_bytes")).doubleValue()});
        }
        Set<String> expected = Pareto.best(points, (feasible.size() + 1) / 2).stream()
                .map(i -> feasible.get(i).<String>getAs("trial_id")).collect(Collectors.toSet());
        assertEquals(expected, r1.keySet());
        for (Row x : r1.values()) {
            assertEquals(1, x.<Object>getList(x.fieldIndex("history")).size(), "rung 1 trains epoch 2 only");
            assertEquals(2, (int) x.<Row>getList(x.fieldIndex("history")).get(0).<Integer>getAs("epoch"));
            assertEquals(r0.get(x.<String>getAs("trial_id")).<Long>getAs("serialized_bytes"), x.<Long>getAs("serialized_bytes"),
                    "the pruned network's measurements carry over");
        }
        assertEquals(feasible.size() + r1.size(), o.epochsTrained());
        // Every column of every OK row, at every rung: filled, or declared nullable with its reason
        // (the standard SweepJobTest holds sweep rows to); a later rung carries the per-layer detail.
        java.util.Map<String, java.util.Set<String>> emptyWhereNotAllowed = new java.util.TreeMap<>();
        List<Row> ok = new ArrayList<>(feasible);
        ok.addAll(r1.values());
        for (Row x : ok) {
            for (String c : ResultSchema.scalarColumns()) {
                if (!ResultSchema.nullableInOkRows().containsKey(c) && x.isNullAt(x.fieldIndex(c))) {
                    emptyWhereNotAllowed.computeIfAbsent(c, k -> new java.util.TreeSet<>()).add(x.getAs("method"));
                }
            }
            assertNotNull(x.getAs("rung"), "a search row names its rung");
            assertEquals(r0.get(x.<String>getAs("trial_id")).getList(x.fieldIndex("layers")).size(),
                    x.getList(x.fieldIndex("layers")).size(), "per-layer detail at every rung");
        }
        assertEquals(Map.of(), emptyWhereNotAllowed, "columns null in OK search rows, by method");
        // The front's models load as saved networks with their input transform, ready for export.
        assertFalse(o.front().isEmpty());
        for (SearchJob.Member m : o.front()) {
            Path model = Path.of(m.modelDir());
            try (Network n = NetworkStore.load(model)) {
                assertTrue(InputTransform.read(model).isPresent());
                assertTrue(n.spec().widths().size() > 0);
            }
        }

        // Resume after losing one rung-1 row: only that row is redone.
        Path sweepDir = dir.resolve("results/sweep=tiny");
        Map<String, FileTime> before = new HashMap<>();
        try (var files = Files.list(sweepDir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                before.put(f.getFileName().toString(), Files.getLastModifiedTime(f));
            }
        }
        String lost = r1.keySet().iterator().next();
        Files.delete(sweepDir.resolve(ResultTable.rowName(lost, 1) + ".parquet"));
        Thread.sleep(20);
        SearchJob.Outcome again = SearchJob.run(spark, search, new SearchJob.Options(results, true));
        try (var files = Files.list(sweepDir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                String n = f.getFileName().toString();
                if (n.equals(ResultTable.rowName(lost, 1) + ".parquet")) {
                    continue;
                }
                assertEquals(before.get(n), Files.getLastModifiedTime(f), n + " was rewritten on resume");
            }
        }
        assertTrue(Files.exists(sweepDir.resolve(ResultTable.rowName(lost, 1) + ".parquet")), "the lost row is redone");
        assertEquals(1, again.epochsTrained(), "the resume says what it trained: the one lost rung-1 epoch");
        assertEquals(o.epochsInRows(), again.epochsInRows());
        assertEquals(o.front().stream().map(SearchJob.Member::trialId).toList(),
                again.front().stream().map(SearchJob.Member::trialId).toList());
    }

    @Test
    void badSearchFilesNameTheKey(@TempDir Path dir) {
        for (String[] c : new String[][] {
                {"budget: {candidates: 6, rungs: [1, 2], eta: 2}", "budget: {candidates: 6, rungs: [2, 1], eta: 2}",
                        "budget.rungs"},
                {"serialized_bytes: {max: 600000}", "top1: {max: 0.5}", "constraints.top1"},
                {"objectives: {top1: max, serialized_bytes: min}", "objectives: {top1: max}", "objectives"},
                {"objectives: {top1: max, serialized_bytes: min}", "objectives: {top1: up, serialized_bytes: min}",
                        "objectives.top1"},
                {"sparsity: {min: 0.6, max: 0.95}", "sparsity: {min: 0.9, max: 0.5}", "space.sparsity"},
                {"serialized_bytes: {max: 600000}", "serialized_bytes: {min: 5, max: 1}", "constraints.serialized_bytes"},
                {"candidates: 6,", "candidates: 1000000000,", "at most 1000000"},
                {"method: [upai, reconvene, spai-l1]", "methd: [upai, reconvene, spai-l1]", "space.methd"},
                {"method: [upai, reconvene, spai-l1]", "method: [upai, reconvene, pruned]", "space.method"},
                {"  method: [upai, reconvene, spai-l1]\n  sparsity: {min: 0.6, max: 0.95}", "  {}", "space"}}) {
            String yaml = YAML.replace("DATA", dir.toString()).replace(c[0], c[1].replace("\\n", "\n"));
            assertTrue(!yaml.equals(YAML.replace("DATA", dir.toString())), "the case changes the file: " + c[1]);
            Map<String, Object> root = new org.yaml.snakeyaml.Yaml().load(yaml);
            SweepSpecException e = assertThrows(SweepSpecException.class, () -> SearchSpec.of("tiny.yaml", root, dir),
                    c[1]);
            assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("tiny.yaml"), e.getMessage());
            assertFalse(e.getMessage().contains("random.axes") || e.getMessage().contains("'grid"), e.getMessage());
        }
    }

    /**
     * The same search file with another space: the rows of the first run's candidates are neither
     * ranked nor in the front, and a resume runs (no NullPointerException as before).
     */
    @Test
    void aChangedSpaceSeesOnlyItsOwnCandidates(@TempDir Path dir) throws Exception {
        String results = dir.resolve("results").toUri().toString();
        SearchSpec first = spec(dir);
        SearchJob.run(spark, first, new SearchJob.Options(results, false));
        Map<String, Object> root = new org.yaml.snakeyaml.Yaml().load(YAML.replace("DATA", dir.resolve("data").toString())
                .replace("sparsity: {min: 0.6, max: 0.95}", "sparsity: {min: 0.7, max: 0.9}")
                .replace("rungs: [1, 2]", "rungs: [1, 3]"));
        SearchSpec second = SearchSpec.of("tiny.yaml", root, dir);
        Set<String> secondIds = second.candidates().trials().stream().map(t -> t.trialId()).collect(Collectors.toSet());
        Set<String> firstIds = first.candidates().trials().stream().map(t -> t.trialId()).collect(Collectors.toSet());
        assertTrue(java.util.Collections.disjoint(firstIds, secondIds), "another space and budget: other trial ids");
        SearchJob.Outcome o = SearchJob.run(spark, second, new SearchJob.Options(results, true));
        assertEquals(secondIds.size(), o.candidatesPerRung()[0], "rung 0 is the new candidates alone");
        assertFalse(o.front().isEmpty());
        o.front().forEach(m -> assertTrue(secondIds.contains(m.trialId()), m.trialId() + " is not this search's"));
        ResultTable table = ResultTable.at(results, spark.sparkContext().hadoopConfiguration());
        assertEquals(secondIds, SearchJob.rowsAt(spark, table, "tiny", 0, secondIds).keySet());
    }

    /**
     * A search JVM killed (SIGKILL) while it publishes a checkpoint, then resumed: every OK row has
     * a complete checkpoint, the front's models load, and each rung of a trial is one row. A
     * checkpoint that lost a file is found incomplete and its rung redone.
     */
    @Test
    void checkpointsArePublishedWholeAndResumeRedoesIncompleteOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, YAML.replace("DATA", dir.resolve("data").toString()));
        Path results = dir.resolve("results");
        Path staging = results.resolve("sweep=tiny").resolve(ResultTable.STAGING);
        try (org.reconvene.sweep.ChildSweep child = org.reconvene.sweep.ChildSweep.cli(dir, List.of("search",
                file.toString(), "--results", results.toString(), "--master", "local[1]"), "-Xmx2g",
                "-D" + ResultTable.PAUSE_BEFORE_CHECKPOINT_RENAME_MS + "=120000")) {
            child.awaitWhileRunning(() -> {
                try (var f = Files.list(staging)) {
                    return f.anyMatch(p -> p.getFileName().toString().contains("-checkpoint-"));
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 240, "a checkpoint being published");
            child.signal("KILL");
            child.exitCode(30);
        }
        SearchSpec search = SearchSpec.load(file);
        SearchJob.Outcome o = SearchJob.run(spark, search, new SearchJob.Options(results.toString(), true));
        ResultTable table = ResultTable.at(results.toString(), spark.sparkContext().hadoopConfiguration());
        assertOkRowsHaveCompleteCheckpoints(table, search);
        for (SearchJob.Member m : o.front()) {
            try (Network n = NetworkStore.load(Path.of(m.modelDir()))) {
                assertTrue(n.spec().widths().size() > 0);
            }
        }
        // A checkpoint that lost a file (as an older version's non-atomic copy could leave it): redone.
        SearchJob.Member m = o.front().get(0);
        Path ckpt = Path.of(m.modelDir());
        Files.delete(ckpt.resolve(NetworkStore.TENSORS));
        assertFalse(table.checkpointComplete("tiny", m.trialId(), m.rung()));
        SearchJob.Outcome again = SearchJob.run(spark, search, new SearchJob.Options(results.toString(), true));
        assertEquals(1, again.epochsTrained(), "the last rung of that trial, again");
        assertTrue(table.checkpointComplete("tiny", m.trialId(), m.rung()));
        try (Network n = NetworkStore.load(ckpt)) {
            assertTrue(n.spec().widths().size() > 0);
        }
        // DuckDB: every (trial, rung) once; results check knows a search's rows
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet r = s.executeQuery("SELECT max(n) FROM (SELECT trial_id, rung, count(*) AS n FROM "
                        + "read_parquet('" + results + "/**/*.parquet', union_by_name = true) GROUP BY ALL)")) {
            assertTrue(r.next());
            assertEquals(1, r.getInt(1));
        }
        Row bad = ResultTable.at(results.toString(), spark.sparkContext().hadoopConfiguration()).rows(spark, "tiny")
                .filter("status = 'FAILED'").limit(1).collectAsList().stream().findFirst().orElse(null);
        assertEquals(null, bad == null ? null : bad.<String>getAs("error_message"), "no FAILED row");
        assertEquals(0, org.reconvene.cli.ReconveneCli.execute("results", "check", results.toString()));
    }

    private static void assertOkRowsHaveCompleteCheckpoints(ResultTable table, SearchSpec search) {
        Set<String> ids = search.candidates().trials().stream().map(t -> t.trialId()).collect(Collectors.toSet());
        for (int r = 0; r < search.rungs().length; r++) {
            for (Row x : SearchJob.rowsAt(spark, table, "tiny", r, ids).values()) {
                if ("OK".equals(x.getAs("status"))) {
                    assertTrue(table.checkpointComplete("tiny", x.getAs("trial_id"), r),
                            "rung " + r + " of " + x.getAs("trial_id"));
                }
            }
        }
    }
}
