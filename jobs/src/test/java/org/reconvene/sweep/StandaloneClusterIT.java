package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep on a real standalone cluster: a Master and two Workers on 127.0.0.1 started from the
 * Maven jars (target/spark-home/jars), the packaged application jar submitted through
 * SparkSubmit, and one Worker killed while the sweep runs.
 *
 * <p>Runs in {@code mvn -Papp verify} (failsafe), after the app jar is built. Process output goes
 * to {@code target/cluster-it/*.log} for diagnosis.
 */
class StandaloneClusterIT {

    private final List<Process> processes = new ArrayList<>();
    private final Path work = Path.of("target", "cluster-it").toAbsolutePath();

    @AfterEach
    void stopAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
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
        String cp = sparkHome.resolve("jars") + File.separator + "*";
        int masterPort = freePort();
        String master = "spark://127.0.0.1:" + masterPort;

        start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())), cp, sparkHome);
        Process w1 = start("worker1", worker(master), cp, sparkHome);
        Process w2 = start("worker2", worker(master), cp, sparkHome);

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
        String addOpens = System.getProperty("reconvene.addOpens");
        String djl = System.getProperty("reconvene.djlCache");
        List<String> submit = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
                "--master", master, "--deploy-mode", "client", "--class", "org.reconvene.cli.ReconveneCli",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.task.cpus=1", "--executor-memory", "2g",
                "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true " + addOpens,
                "--conf", "spark.executorEnv.DJL_CACHE_DIR=" + djl,
                "--conf", "spark.task.maxFailures=4",
                appJar.toString(), "sweep", sweepFile.toString(), "--results", results.toUri().toString()));
        List<String> driverJvm = new ArrayList<>(Arrays.asList(addOpens.split(" ")));
        driverJvm.add("-Dai.djl.offline=true");
        driverJvm.add("-Xmx2g");
        Process driver = start("driver", submit, cp, sparkHome, driverJvm);

        // Kill the second worker (and its executor) once both executors have committed rows: a
        // kill before the second executor's first commit (a slow start) would leave one JVM's rows.
        Path rows = results.resolve("sweep=cluster");
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (System.nanoTime() < deadline && driver.isAlive() && executorsWithRows(rows).size() < 2) {
            Thread.sleep(500);
        }
        assertTrue(driver.isAlive(), "the sweep was still running when the worker was killed");
        w2.descendants().forEach(ProcessHandle::destroyForcibly);
        w2.destroyForcibly();

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

    private static List<String> worker(String master) throws IOException {
        return List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                "--memory", "3g", "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
                master);
    }

    private Process start(String name, List<String> args, String cp, Path sparkHome) throws IOException {
        return start(name, args, cp, sparkHome, List.of("-Xmx1g"));
    }

    private Process start(String name, List<String> args, String cp, Path sparkHome, List<String> jvm)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-cp");
        cmd.add(cp);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_WORKER_DIR", work.resolve(name + "-work").toString());
        env.put("DJL_CACHE_DIR", System.getProperty("reconvene.djlCache"));
        Process p = pb.start();
        processes.add(p);
        return p;
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }
}
