package org.reconvene.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reconvene.cli.ReconveneCli;
import org.reconvene.sweep.SparkSessions;
import org.reconvene.sweep.SweepJob;
import org.reconvene.sweep.SweepSpec;

/**
 * The notebooks in {@code notebooks/}, executed by Jupyter's nbconvert on the Java kernel that
 * {@code reconvene kernel} installs, against the results of {@code conf/sweeps/smoke.yaml}: a
 * notebook that raises, or shows no tables or figures, fails the build.
 *
 * <p>Runs in {@code mvn -Papp verify} (failsafe). It needs {@code jupyter nbconvert} (Debian's
 * jupyter-nbconvert); without it the test is skipped, unless {@code RECONVENE_REQUIRE_JUPYTER=1}
 * (set by {@code .ci/run}) makes that a failure. Executed notebooks and logs are left in
 * {@code target/notebooks-it}.
 */
class NotebooksIT {

    private static final Path WORK = Path.of("target", "notebooks-it").toAbsolutePath();
    private static final Path ROOT = Path.of(System.getProperty("reconvene.root", "..")).toAbsolutePath().normalize();
    private static final int STARTS = 12;
    private static Path results;

    @BeforeAll
    static void smokeSweep() throws Exception {
        if (!jupyterAvailable()) {
            String why = "jupyter nbconvert is not installed (apt-get install jupyter-nbconvert)";
            if ("1".equals(System.getenv("RECONVENE_REQUIRE_JUPYTER"))) {
                fail(why + ", and RECONVENE_REQUIRE_JUPYTER=1");
            }
            Assumptions.abort(why);
        }
        deleteTree(WORK);
        Files.createDirectories(WORK);
        results = WORK.resolve("results");
        Path conf = ROOT.resolve("conf/sweeps/smoke.yaml");
        SweepSpec spec = SweepSpec.parse(Files.readString(conf), conf.toString(), WORK);
        try (SparkSession spark = SparkSessions.create("notebooks-it smoke sweep", "local[2]")) {
            SweepJob.Outcome o = SweepJob.run(spark, spec,
                    new SweepJob.Options(results.toUri().toString(), false, false, 0));
            assertEquals(14, o.ok(), "every smoke trial finishes");
        }
        Path kernels = WORK.resolve("jupyter").resolve("kernels");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        int rc = ReconveneCli.execute("kernel", "--dir", kernels.toString(), "--kernel-jar",
                System.getProperty("reconvene.kernelJar"), "--classpath", cp, "--memory", "2g");
        assertEquals(0, rc, "kernel install");
        assertTrue(Files.isRegularFile(kernels.resolve("reconvene-java").resolve("kernel.json")));
    }

    @Test
    void paperTablesShowsTheReportAndItsFourFigures() throws Exception {
        JsonObject nb = execute("paper-tables.ipynb");
        String md = String.join("\n", outputs(nb, "text/markdown"));
        assertTrue(md.contains("Loaded **14** trials"), md);
        assertTrue(md.contains("## resnet20 / synthetic / synflow / sparsity 0.9000"), md);
        for (String method : List.of("dense", "upai", "spai-l1", "reconvene")) {
            assertTrue(md.contains("| " + method + " | 2 |"), method + " averaged over 2 seeds:\n" + md);
        }
        assertTrue(md.contains("## Headline: Reconvene within 0.01 top-1 of upai"), md);
        List<String> images = outputs(nb, "image/png");
        assertEquals(4, images.size(),
                "top1_vs_compression, latency_vs_sparsity, pareto_top1_vs_latency, reconvene_layers");
        for (String png : images) {
            byte[] bytes = java.util.Base64.getDecoder().decode(png.replace("\n", ""));
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            assertTrue(img.getWidth() >= 900 && img.getHeight() >= 600, "a full-size figure");
        }
    }

    @Test
    void compareTrialsExplainsUpaiAgainstReconveneAndTwoSeeds() throws Exception {
        JsonObject nb = execute("compare-trials.ipynb");
        String md = String.join("\n", outputs(nb, "text/markdown"));
        assertTrue(md.contains("(upai) vs "), md);
        assertTrue(md.contains("| method | upai | reconvene |"), md);
        assertTrue(md.contains("| size_ratio |  | "), "size ratio only on the reconvene side: " + md);
        // the second comparison: one setting, two seeds
        assertTrue(md.contains("config differs in seed;"), md);
        assertTrue(md.contains("| seed | 0 | 1 |"), md);
        assertEquals(1, outputs(nb, "image/png").size(), "the learning curves");
    }

    /**
     * Runs one notebook with nbconvert; fails with its log when it raises.
     *
     * <p>The kernel (rapaio-jupyter-kernel 3.0.1) sometimes never answers its first request: its
     * shell socket is connected but its poller sees no message (a thread dump shows the shell
     * loop polling idly). Here it hit 9 of 26 starts, from 1 in 8 to 5 in 7 in a run. It happens
     * before any cell runs, so such a start is retried with a fresh kernel, up to {@link #STARTS}
     * times (at a third, the chance that all fail is below 1e-5); a notebook that fails in a cell
     * is not retried.
     */
    private static JsonObject execute(String name) throws IOException, InterruptedException {
        Path log = WORK.resolve(name + ".log");
        for (int attempt = 1; ; attempt++) {
            int rc = nbconvert(name, log);
            String text = Files.readString(log);
            if (rc == 0) {
                break;
            }
            if (attempt < STARTS && text.contains("Kernel didn't respond")) {
                System.err.println(name + ": the kernel did not answer at start (attempt " + attempt + "); retrying");
                continue;
            }
            fail(name + " failed (exit " + rc + "):\n" + text.substring(Math.max(0, text.length() - 6000)));
        }
        JsonObject nb = JsonParser.parseString(Files.readString(WORK.resolve(name))).getAsJsonObject();
        for (JsonElement c : nb.getAsJsonArray("cells")) {
            for (JsonElement o : outputs(c.getAsJsonObject())) {
                assertTrue(!"error".equals(o.getAsJsonObject().get("output_type").getAsString()), name + ": " + o);
            }
        }
        return nb;
    }

    private static int nbconvert(String name, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=25",
                "--output-dir", WORK.toString(), ROOT.resolve("notebooks").resolve(name).toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JUPYTER_PATH", WORK.resolve("jupyter").toString());
        pb.environment().put("RECONVENE_RESULTS", results.toUri().toString());
        pb.environment().put("DJL_CACHE_DIR", System.getProperty("reconvene.djlCache", ".cache/djl"));
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(name + " did not finish in 15 minutes; log " + log);
        }
        return p.exitValue();
    }

    /** The payloads of the given MIME type over all cells, in order. */
    private static List<String> outputs(JsonObject nb, String mime) {
        List<String> out = new ArrayList<>();
        for (JsonElement c : nb.getAsJsonArray("cells")) {
            for (JsonElement o : outputs(c.getAsJsonObject())) {
                JsonObject data = o.getAsJsonObject().getAsJsonObject("data");
                if (data != null && data.has(mime)) {
                    JsonElement v = data.get(mime);
                    if (v.isJsonArray()) {
                        StringBuilder sb = new StringBuilder();
                        v.getAsJsonArray().forEach(line -> sb.append(line.getAsString()));
                        out.add(sb.toString());
                    } else {
                        out.add(v.getAsString());
                    }
                }
            }
        }
        return out;
    }

    private static JsonArray outputs(JsonObject cell) {
        return cell.has("outputs") ? cell.getAsJsonArray("outputs") : new JsonArray();
    }

    private static boolean jupyterAvailable() {
        try {
            Process p = new ProcessBuilder("jupyter", "nbconvert", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }
}
