package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reconvene.bench.StandaloneCluster;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultTable;

/**
 * The README's cluster commands, read from README.md (not copied here) and run as written, in
 * client and in cluster deploy mode, with this test's values in their variables, against a
 * standalone Master and two Workers on 127.0.0.1; {@code spark-submit} is the repository's
 * {@code bin/spark-submit}, as the README offers where no Spark is installed.
 */
class ReadmeClusterIT {

    private final Path work = Path.of("target", "readme-cluster-it").toAbsolutePath();
    private StandaloneCluster cluster;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The spark-submit commands of the README's marked block, continuation lines joined. */
    static List<String> readmeCommands(Path readme) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        int marker = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("<!-- cluster-commands")) {
                marker = i;
            }
        }
        assertTrue(marker >= 0, "the README marks its cluster commands");
        int open = marker + 1;
        assertEquals("```bash", lines.get(open).strip());
        List<String> commands = new ArrayList<>();
        StringBuilder current = null;
        for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
            String l = lines.get(i).strip();
            if (current == null && l.startsWith("spark-submit ")) {
                current = new StringBuilder();
            }
            if (current != null) {
                boolean more = l.endsWith("\\");
                current.append(more ? l.substring(0, l.length() - 1) : l).append(' ');
                if (!more) {
                    commands.add(current.toString().strip());
                    current = null;
                }
            }
        }
        return commands;
    }

    @Test
    void theReadmesCommandsRunAsWrittenInBothDeployModes() throws Exception {
        Path root = Path.of(System.getProperty("reconvene.root")).toAbsolutePath();
        List<String> commands = readmeCommands(root.resolve("README.md"));
        assertEquals(2, commands.size(), commands.toString());
        assertTrue(commands.get(0).contains("--deploy-mode client") && commands.get(1).contains("--deploy-mode cluster"));

        Files.createDirectories(work);
        StandaloneClusterIT.deleteTree(work.resolve("data"));
        Path sweep = work.resolve("readme.yaml");
        Files.writeString(sweep, String.join("\n",
                "name: readme",
                "data:",
                "  synthetic: {uri: '" + work.resolve("data").toUri() + "', generate: {classes: 10, train: 128, test: 32, seed: 3}}",
                "defaults: {model: resnet20, epochs: 1, max_batches: 2, batch_size: 32, latency_runs: 1,"
                        + " synflow_rounds: 5, sparsity: 0.9, scorer: synflow}",
                "grid:",
                "  method: [dense, reconvene]"));
        Path bin = Files.createDirectories(work.resolve("bin"));
        Files.deleteIfExists(bin.resolve("spark-submit"));
        Files.createSymbolicLink(bin.resolve("spark-submit"), root.resolve("bin/spark-submit"));

        cluster = new StandaloneCluster(Path.of(System.getProperty("reconvene.sparkHome")), work,
                System.getProperty("reconvene.addOpens"), System.getProperty("reconvene.djlCache"));
        String master = cluster.startMaster();
        cluster.startWorker("worker1", 2, "3g");
        cluster.startWorker("worker2", 2, "3g");

        String[] modes = {"client", "cluster"};
        for (int i = 0; i < 2; i++) {
            Path results = work.resolve("results-" + modes[i]);
            StandaloneClusterIT.deleteTree(results);
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", commands.get(i)).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(work.resolve("submit-" + modes[i] + ".log").toFile());
            Map<String, String> env = pb.environment();
            env.put("MASTER", master);
            env.put("RESULTS", results.toUri().toString());
            env.put("SWEEP", sweep.toString());
            env.put("TASK_CPUS", "1");
            env.put("EXECUTOR_CORES", "1");
            env.put("EXECUTOR_MEMORY", "2g");
            env.put("PATH", bin + ":" + env.get("PATH"));
            env.put("SPARK_LOCAL_IP", "127.0.0.1");
            env.put("DJL_CACHE_DIR", System.getProperty("reconvene.djlCache"));
            Process p = pb.start();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), modes[i] + " mode finished in time");
            String log = Files.readString(work.resolve("submit-" + modes[i] + ".log"));
            assertEquals(0, p.exitValue(), modes[i] + " mode; the submission's output:\n" + log);
            ResultScan scan = ResultTable.at(results.toString(), new Configuration()).scan("readme");
            assertEquals(2, scan.rows().size(), modes[i] + " mode rows");
            String mode = modes[i];
            scan.rows().forEach(r -> assertEquals("OK", r.status(), mode + " mode: " + r.values()));
            if (modes[i].equals("client")) {
                // the driver's own output: the platform's lines, not Spark's hundreds of INFO lines
                long sparkInfo = log.lines().filter(l -> l.contains(" INFO ") && !l.contains(" INFO  ")).count();
                assertTrue(sparkInfo < 20, sparkInfo + " INFO lines of Spark's:\n" + log);
                assertTrue(log.contains("sweep readme: 2 trials"), log);
            }
        }
    }
}
