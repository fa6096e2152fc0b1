package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.model.OnnxFixtures;
import org.reconvene.trial.TrialConfig;

/**
 * A sweep over a network imported from ONNX: every method runs on it, a resume runs nothing, the
 * rows name the file and its digest (read back by DuckDB), a changed file is new trials, and a
 * file that cannot be imported is refused before anything runs, naming the node.
 */
class ImportedModelSweepTest extends SparkTestBase {

    private static String yaml(String model) {
        return String.join("\n",
                "name: imported",
                "export: onnx",
                "data:",
                "  synthetic: {uri: data/gen, generate: {classes: 4, train: 64, test: 16, seed: 1}}",
                "defaults: {epochs: 1, max_batches: 1, batch_size: 16, latency_runs: 1, synflow_rounds: 2,",
                "           sparsity: 0.9}",
                "grid:",
                "  model: [" + model + "]",
                "  method: [dense, upai, spai-random, spai-l1, spai-layerwise, reconvene]",
                "exclude:",
                "  - {model: resnet20, method: [upai, spai-random, spai-l1, spai-layerwise, reconvene]}",
                "");
    }

    @Test
    void everyMethodRunsOnAnImportedFileResumesAndNamesItsDigest(@TempDir Path dir) throws Exception {
        Path nets = Files.createDirectories(dir.resolve("nets"));
        byte[] bytes = OnnxFixtures.bytes("dwresnet");
        Files.write(nets.resolve("net.onnx"), bytes);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        SweepSpec spec = SweepSpec.parse(yaml("nets/net.onnx, resnet20"), "s.yaml", dir);
        assertEquals(7, spec.trials().size());
        Path results = dir.resolve("results");
        SweepJob.Outcome o = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), false, false, 0));
        assertEquals(7, o.ran());
        assertEquals(0, o.failed());

        String file = "file://" + nets.resolve("net.onnx").toAbsolutePath();
        Map<String, String[]> byMethod = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT model, model_digest, method, status, onnx_bytes FROM read_parquet('"
                        + results + "/**/*.parquet', union_by_name=true) ORDER BY method")) {
            while (rs.next()) {
                String model = rs.getString(1);
                if (model.equals("resnet20")) {
                    assertNull(rs.getString(2), "a zoo model has no digest");
                    continue;
                }
                assertEquals(file, model);
                assertEquals("OK", rs.getString(4), rs.getString(3));
                assertTrue(rs.getLong(5) > 0);
                byMethod.put(rs.getString(3), new String[] {rs.getString(2)});
            }
        }
        assertEquals(Set.of("dense", "upai", "spai-random", "spai-l1", "spai-layerwise", "reconvene"), byMethod.keySet());
        byMethod.values().forEach(d -> assertEquals(digest, d[0]));

        SweepJob.Outcome resumed = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), true, false, 0));
        assertEquals(0, resumed.ran(), "a resume runs nothing");

        // the same path with other content is other trials (the zoo trial is the same)
        ModelProto changed = ModelProto.parseFrom(bytes).toBuilder().setDocString("edited").build();
        Files.write(nets.resolve("net.onnx"), changed.toByteArray());
        Set<String> before = spec.trials().stream().map(TrialConfig::trialId).collect(Collectors.toSet());
        List<TrialConfig> after = SweepSpec.parse(yaml("nets/net.onnx, resnet20"), "s.yaml", dir).trials();
        assertEquals(1, after.stream().filter(t -> before.contains(t.trialId())).count());
        assertNotEquals(digest, after.get(0).modelDigest());
    }

    @Test
    void aFileThatCannotBeImportedIsRefusedNamingTheNode(@TempDir Path dir) throws Exception {
        ModelProto m = ModelProto.parseFrom(OnnxFixtures.bytes("dwresnet"));
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals("/Relu")) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType("HardSwish"));
            }
        }
        Files.write(dir.resolve("bad.onnx"), m.toBuilder().setGraph(g).build().toByteArray());
        SweepSpecException e = assertThrows(SweepSpecException.class,
                () -> SweepSpec.parse(yaml("bad.onnx"), "s.yaml", dir).trials());
        assertTrue(e.getMessage().contains("'model'") && e.getMessage().contains("node /Relu (HardSwish)"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("results")));
    }
}
