package org.reconvene.sweep;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.reconvene.cli.ChildJvmFlags;

/**
 * {@code reconvene sweep} in a JVM of its own, so that a test can kill it (SIGKILL, SIGTERM,
 * SIGINT) at a chosen moment and then look at what it left. Output goes to files in the
 * working directory, which the failure messages quote.
 */
public final class ChildSweep implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private ChildSweep(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code sweep yaml --results results --master local[1]} in {@code dir} with extra JVM flags. */
    public static ChildSweep start(Path dir, Path yaml, Path results, String... jvmFlags) throws IOException {
        return cli(dir, List.of("sweep", yaml.toString(), "--results", results.toString(), "--master", "local[1]"),
                "-Xmx2g", jvmFlags);
    }

    /** Starts {@code reconvene ARGS} in {@code dir} with heap {@code xmx} and extra JVM flags. */
    public static ChildSweep cli(Path dir, List<String> args, String xmx, String... jvmFlags) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add(xmx);
        cmd.addAll(ChildJvmFlags.of(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        cmd.add("-Dai.djl.pytorch.num_threads=1");
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.reconvene.cli.ReconveneCli"));
        cmd.addAll(args);
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        return new ChildSweep(pb.start(), out, err);
    }

    /** Waits until {@code condition} holds; fails if the child exits first or the time runs out. */
    public void awaitWhileRunning(BooleanSupplier condition, long seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError("the child exited (" + process.exitValue() + ") before " + what + "\n" + err());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + seconds + " s\n" + err());
            }
            Thread.sleep(100);
        }
    }

    /** Sends {@code signal} (KILL, TERM, INT) to the child. */
    public void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " failed");
        }
    }

    /** The child's exit code, waiting at most {@code seconds}. */
    public int exitCode(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not exit within " + seconds + " s\n" + err());
        }
        return process.exitValue();
    }

    public String err() throws IOException {
        return Files.exists(err) ? Files.readString(err) : "";
    }

    public String out() throws IOException {
        return Files.exists(out) ? Files.readString(out) : "";
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
