package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.deploy.OnnxModel;

/** `export`: a pruned network becomes an ONNX file that ONNX's own checker accepts; bad input is exit 2. */
class ExportCommandTest {

    @Test
    void aPrunedNetworkExportsToAFileTheOnnxCheckerAccepts(@TempDir Path dir) throws Exception {
        Path run = pruned(dir, "reconvene");
        String summary = Files.readString(run.resolve("summary.json"));
        for (String k : new String[] {"onnx_bytes", "onnx_gzip_bytes", "latency_ort_ms_b1", "speedup_ort_b64",
                "size_ratio_onnx_gzip"}) {
            assertTrue(summary.contains("\"" + k + "\""), k + " in the prune summary");
        }
        Path onnx = dir.resolve("out/model.onnx");
        CliRun export = CliRun.of("export", "--model-dir", run.resolve("model").toString(), "--out", onnx.toString());
        assertEquals(0, export.exit(), export.err());
        OnnxModel m = OnnxModel.read(onnx);
        assertEquals("reconvene", m.metadata().get("method"));
        assertEquals("resnet20", m.metadata().get("architecture"));
        assertTrue(m.metadata().containsKey("provenance.git_commit"));
        checkWithOnnx(onnx);

        // A damaged save is bad input naming the damaged file, and nothing is written.
        Path broken = Files.createDirectories(dir.resolve("broken"));
        for (String f : new String[] {"spec.json", "input.json"}) {
            Files.copy(run.resolve("model").resolve(f), broken.resolve(f));
        }
        byte[] tensors = Files.readAllBytes(run.resolve("model/tensors.ndlist"));
        Files.write(broken.resolve("tensors.ndlist"), java.util.Arrays.copyOf(tensors, tensors.length / 2));
        CliRun bad = CliRun.of("export", "--model-dir", broken.toString(), "--out", dir.resolve("c.onnx").toString());
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("tensors.ndlist"), bad.err());
        assertFalse(Files.exists(dir.resolve("c.onnx")));

        // An --out that cannot be written is refused before any work, naming it; no part file is left.
        Path model = run.resolve("model");
        Path aDirectory = Files.createDirectories(dir.resolve("out/dir.onnx"));
        CliRun toDir = CliRun.of("export", "--model-dir", model.toString(), "--out", aDirectory.toString());
        assertEquals(2, toDir.exit(), toDir.err());
        assertTrue(toDir.err().contains("is a directory"), toDir.err());
        Path underFile = onnx.resolve("inside.onnx");
        CliRun toFile = CliRun.of("export", "--model-dir", model.toString(), "--out", underFile.toString());
        assertEquals(2, toFile.exit(), toFile.err());
        assertTrue(toFile.err().contains(onnx.toString()), toFile.err());
        // a part file a killed export left is removed by the next export to that file
        Path stale = onnx.resolveSibling("." + onnx.getFileName() + ".123.part");
        Files.writeString(stale, "half");
        assertEquals(0, CliRun.of("export", "--model-dir", model.toString(), "--out", onnx.toString()).exit());
        try (var files = Files.walk(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".part")).toList());
        }
    }

    /** `export --int8`: the int8 file passes ONNX's checker (full_check), is smaller, and bad input is exit 2 with nothing written. */
    @Test
    void anInt8ExportIsCheckedAndItsBadInputNamed(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path run = pruned(dir, "upai");
        Path model = run.resolve("model");
        Path f32 = dir.resolve("model.onnx");
        assertEquals(0, CliRun.of("export", "--model-dir", model.toString(), "--out", f32.toString()).exit());
        Path q = dir.resolve("model.int8.onnx");
        CliRun export = CliRun.of("export", "--model-dir", model.toString(), "--out", q.toString(), "--int8", "--data",
                data.toString(), "--calibration-batches", "1");
        assertEquals(0, export.exit(), export.err());
        assertTrue(export.out().contains("smaller than the float32 file"), export.out());
        OnnxModel m = OnnxModel.read(q);
        assertTrue(m.metadata().get("quantization").contains("min/max over 40 training images"),
                m.metadata().get("quantization"));
        assertTrue(Files.size(q) * 3 < Files.size(f32), Files.size(q) + " vs " + Files.size(f32));
        checkWithOnnx(q);

        Path none = dir.resolve("none.onnx");
        CliRun noData = CliRun.of("export", "--model-dir", model.toString(), "--out", none.toString(), "--int8");
        assertEquals(2, noData.exit(), noData.err());
        assertTrue(noData.err().contains("--int8 needs --data"), noData.err());
        CliRun zero = CliRun.of("export", "--model-dir", model.toString(), "--out", none.toString(), "--int8", "--data",
                data.toString(), "--calibration-batches", "0");
        assertEquals(2, zero.exit(), zero.err());
        assertTrue(zero.err().contains("--calibration-batches must be at least 1, got 0"), zero.err());
        Path bare = Files.createDirectories(dir.resolve("bare"));
        for (String f : new String[] {"spec.json", "tensors.ndlist", "masks.ndlist"}) {
            Files.copy(model.resolve(f), bare.resolve(f));
        }
        CliRun noInput = CliRun.of("export", "--model-dir", bare.toString(), "--out", none.toString());
        assertEquals(2, noInput.exit(), noInput.err());
        assertTrue(noInput.err().contains("input.json"), noInput.err());
        CliRun emptyData = CliRun.of("export", "--model-dir", model.toString(), "--out", none.toString(), "--int8",
                "--data", Files.createDirectories(dir.resolve("nothing")).toString());
        assertEquals(2, emptyData.exit(), emptyData.err());
        assertTrue(emptyData.err().contains("nothing"), emptyData.err());
        assertFalse(Files.exists(none), "nothing written");
        try (var files = Files.walk(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".part")).toList());
        }
    }

    @Test
    void missingOrEmptyModelDirectoriesAreBadInputNamingThePath(@TempDir Path dir) throws Exception {
        Path none = dir.resolve("none");
        CliRun r = CliRun.of("export", "--model-dir", none.toString(), "--out", dir.resolve("a.onnx").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains(none.toString()), r.err());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        r = CliRun.of("export", "--model-dir", empty.toString(), "--out", dir.resolve("b.onnx").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("spec.json"), r.err());
        assertFalse(Files.exists(dir.resolve("a.onnx")) || Files.exists(dir.resolve("b.onnx")), "nothing written");
        assertEquals(0, CliRun.of("export", "--help").exit());
    }

    /** ONNX's reference checker with full shape inference (Debian's python3-onnx), where installed. */
    private static void checkWithOnnx(Path file) throws Exception {
        Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import onnx").redirectErrorStream(true).start();
        boolean present = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        if (!present && "1".equals(System.getenv("RECONVENE_REQUIRE_ONNX_CHECKER"))) {
            throw new AssertionError("python3-onnx is required (RECONVENE_REQUIRE_ONNX_CHECKER=1)");
        }
        assumeTrue(present, "python3-onnx not installed");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c",
                "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True);"
                        + " print(m.opset_import[0].version)", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("13", out.trim());
    }

    /** Synthetic data in DIR/data and ResNet-20 pruned by {@code method} (magnitude, 0.9) into DIR/prune. */
    private static Path pruned(Path dir, String method) {
        Path data = dir.resolve("data");
        assertEquals(0, CliRun.of("datagen", "--out", data.toString(), "--train", "40", "--test", "20").exit());
        Path run = dir.resolve("prune");
        CliRun prune = CliRun.of("prune", "--model", "resnet20", "--data", data.toString(), "--method", method,
                "--scorer", "magnitude", "--sparsity", "0.9", "--latency-runs", "1", "--out", run.toString());
        assertEquals(0, prune.exit(), prune.err());
        return run;
    }
}
