package org.reconvene.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on 127.0.0.1 made of child JVMs: a Master, Workers and
 * {@code spark-submit} drivers, started from a folder whose {@code jars/} holds Spark's jars
 * (what {@code mvn -Papp verify} copies to {@code jobs/target/spark-home}).
 *
 * <p>Each process logs to {@code <work>/<name>.log}. Closing the cluster kills every process it
 * started, with their children (the Workers' executors).
 */
public final class StandaloneCluster implements AutoCloseable {

    private final Path sparkHome;
    private final Path work;
    private final String addOpens;
    private final String djlCache;
    private final List<Process> processes = new ArrayList<>();
    private String master;

    /**
     * A cluster whose processes run from {@code sparkHome}, log into {@code work}, open the
     * modules in {@code addOpens} (space-separated JVM flags) and unpack PyTorch into {@code djlCache}.
     */
    public StandaloneCluster(Path sparkHome, Path work, String addOpens, String djlCache) {
        this.sparkHome = sparkHome.toAbsolutePath();
        this.work = work.toAbsolutePath();
        this.addOpens = addOpens;
        this.djlCache = djlCache;
        if (!Files.isDirectory(this.sparkHome.resolve("jars"))) {
            throw new IllegalArgumentException("no Spark jars in " + this.sparkHome.resolve("jars")
                    + " (build them with mvn -B -Papp -DskipTests verify)");
        }
        try {
            Files.createDirectories(this.work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + this.work, e);
        }
    }

    /** Starts the Master and returns its URL. */
    public String startMaster() {
        int port = freePort();
        start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort())), List.of("-Xmx1g"));
        master = "spark://127.0.0.1:" + port;
        return master;
    }

    /** Starts a Worker offering {@code cores} cores and {@code memory} (e.g. 3g) to the Master. */
    public Process startWorker(String name, int cores, String memory) {
        return start(name, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
                String.valueOf(cores), "--memory", memory, "--port", String.valueOf(freePort()), "--webui-port",
                String.valueOf(freePort()), master), List.of("-Xmx1g"));
    }

    /**
     * Submits the reconvene application jar in client mode, one core per task, with
     * {@code appArgs} for its CLI; returns the driver process.
     */
    public Process submit(String name, Path appJar, String executorMemory, List<String> appArgs) {
        List<String> args = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
                "--master", master, "--deploy-mode", "client", "--class", "org.reconvene.cli.ReconveneCli",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.task.cpus=1", "--executor-memory", executorMemory,
                "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true " + addOpens,
                "--conf", "spark.executorEnv.DJL_CACHE_DIR=" + djlCache,
                "--conf", "spark.task.maxFailures=4",
                appJar.toAbsolutePath().toString()));
        args.addAll(appArgs);
        List<String> jvm = new ArrayList<>(List.of(addOpens.split(" ")));
        jvm.add("-Dai.djl.offline=true");
        jvm.add("-Xmx2g");
        return start(name, args, jvm);
    }

    private Process start(String name, List<String> args, List<String> jvm) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-cp");
        cmd.add(sparkHome.resolve("jars") + File.separator + "*");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_WORKER_DIR", work.resolve(name + "-work").toString());
        env.put("DJL_CACHE_DIR", djlCache);
        try {
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Kills a process of this cluster and its children (a Worker and its executors). */
    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            kill(p);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
