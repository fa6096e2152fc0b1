package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reconvene.bench.StandaloneCluster;

/**
 * The sweep on a real standalone cluster: a Master and two Workers on 127.0.0.1 started from the
 * Maven jars (target/spark-home/jars), the packaged application jar submitted through
 * SparkSubmit, and one Worker killed while the sweep runs.
 *
 * <p>Runs in {@code mvn -Papp verify} (failsafe), after the app jar is built. Process output goes
 * to {@code target/cluster-it/*.log} for diagnosis.
 */
class StandaloneClusterIT {

    private final Path work = Path.of("target", "cluster-it").toAbsolutePath();
    private StandaloneCluster cluster;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sweepSurvivesAWorkerLossAndWritesEveryTrialOnce() throws Exception {
        Path sparkHome = Path.of(System.getProperty("reconvene.sparkHome")).toAbsolutePath();
        Path appJar = Path.of(System.getProperty("reconvene.appJar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(appJar), "app jar " + appJar);
        Files.createDirectories(work);
        Path results = work.resolve("results");
        deleteTree(results);
        cluster = new StandaloneCluster(sparkHome, work, System.getProperty("reconvene.addOpens"),
                System.getProperty("reconvene.djlCache"));
        cluster.startMaster();
        Process w1 = cluster.startWorker("worker1", 1, "3g");
        Process w2 = cluster.startWorker("worker2", 1, "3g");

        Path sweepFile = work.resolve("cluster.yaml");
        Files.writeString(sweepFile, String.join("\n",
                "name: cluster",
                "data:",
                "  synthetic: {uri: '" + work.resolve("data").toUri() + "', generate: {classes: 10, train: 300, test: 60, seed: 2}}",
                "defaults: {model: resnet20, epochs: 1, max_batches: 4, batch_size: 32, latency_runs: 2,"
                        + " synflow_rounds: 10, sparsity: 0.9, scorer: synflow}",
                "grid:",
                "  method: [dense, upai, spai-l1, reconvene]",
                "  seed: [0, 1, 2]"));
        deleteTree(work.resolve("data"));
        Process driver = cluster.submit("driver", appJar, "2g",
                List.of("sweep", sweepFile.toString(), "--results", results.toUri().toString()));

        // Kill the second worker (and its executor) once both executors have committed rows: a
        // kill before the second executor's first commit (a slow start) would leave one JVM's rows.
        Path rows = results.resolve("sweep=cluster");
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (System.nanoTime() < deadline && driver.isAlive() && executorsWithRows(rows).size() < 2) {
            Thread.sleep(500);
        }
        assertTrue(driver.isAlive(), "the sweep was still running when the worker was killed");
        StandaloneCluster.kill(w2);

        assertTrue(driver.waitFor(8, TimeUnit.MINUTES), "sweep finished in time");
        assertEquals(0, driver.exitValue(), "driver exit code; see " + work.resolve("driver.log"));
        assertTrue(w1.isAlive());

        SparkSession spark = SparkSession.builder().master("local[1]").appName("check")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            Dataset<Row> all = spark.read().parquet(rows.toString());
            assertEquals(12, all.count(), "one row per trial");
            assertEquals(12, all.select("trial_id").distinct().count());
            assertEquals(12, all.filter("status = 'OK'").count());
            Set<String> executors = all.select("executor").collectAsList().stream().map(r -> r.getString(0))
                    .collect(Collectors.toSet());
            assertTrue(executors.size() >= 2, "rows from at least two executor JVMs: " + executors);
        } finally {
            spark.stop();
        }
    }

    /** The executors named by the committed rows (each file is one row, renamed into place whole). */
    private static Set<String> executorsWithRows(Path dir) throws IOException {
        Set<String> out = new java.util.HashSet<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")
                    && !p.getFileName().toString().startsWith("_") && !p.getFileName().toString().startsWith("."))
                    .toList();
        }
        for (Path f : files) {
            try (org.apache.parquet.hadoop.ParquetReader<org.apache.parquet.example.data.Group> r =
                    org.apache.parquet.hadoop.ParquetReader.builder(
                            new org.apache.parquet.hadoop.example.GroupReadSupport(),
                            new org.apache.hadoop.fs.Path(f.toUri())).build()) {
                org.apache.parquet.example.data.Group g = r.read();
                if (g != null && g.getFieldRepetitionCount("executor") > 0) {
                    out.add(g.getString("executor", 0));
                }
            }
        }
        return out;
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }
}
