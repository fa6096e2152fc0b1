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
                {"sparsity: {min: 0.6, max: 0.95}", "sparsity: {min: 0.9, max: 0.5}", "space.sparsity"}}) {
            Map<String, Object> root = new org.yaml.snakeyaml.Yaml().load(
                    YAML.replace("DATA", dir.toString()).replace(c[0], c[1]));
            SweepSpecException e = assertThrows(SweepSpecException.class, () -> SearchSpec.of("tiny.yaml", root, dir),
                    c[1]);
            assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("tiny.yaml"), e.getMessage());
        }
    }
}
