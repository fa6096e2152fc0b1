package org.reconvene.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.reconvene.engine.Engines;
import org.reconvene.engine.Host;

/**
 * Where and with what a result was produced: project version and commit, DJL, PyTorch and Java
 * versions, device, host, executor, threads, the convolution path the kernel check chose
 * ({@code kernel_path}), and start and finish times.
 *
 * <p>Every trial result carries one; {@link #diff} lists the fields in which two differ, which
 * is the first thing to read when two results that should agree do not. Build facts come from
 * {@code reconvene-build.properties}, written by Maven at build time.
 */
public record Provenance(
        String projectVersion,
        String gitCommit,
        String djlVersion,
        String pytorchVersion,
        String javaVersion,
        String device,
        String host,
        String executor,
        int threads,
        String kernelPath,
        Instant started,
        Instant finished) {

    /** The provenance of work done in this JVM from {@code started} until now. */
    public static Provenance capture(String executor, Instant started) {
        Properties build = buildProperties();
        return new Provenance(
                build.getProperty("version", "unknown"),
                build.getProperty("git.commit", "unknown"),
                Engines.djlVersion(),
                Engines.pytorchVersion(),
                System.getProperty("java.version"),
                "cpu",
                Host.name(),
                executor,
                Engines.threads(),
                Engines.convPathName(),
                started,
                Instant.now());
    }

    /** The fields as a flat, ordered map (for JSON and result rows). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("project_version", projectVersion);
        m.put("git_commit", gitCommit);
        m.put("djl_version", djlVersion);
        m.put("pytorch_version", pytorchVersion);
        m.put("java_version", javaVersion);
        m.put("device", device);
        m.put("host", host);
        m.put("executor", executor);
        m.put("threads", threads);
        m.put("kernel_path", kernelPath);
        m.put("started", started == null ? null : started.toString());
        m.put("finished", finished == null ? null : finished.toString());
        return m;
    }

    /** The names of the fields whose values differ between two provenances, sorted. */
    public static TreeSet<String> diff(Map<String, ?> a, Map<String, ?> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.removeIf(k -> java.util.Objects.equals(a.get(k), b.get(k)));
        return keys;
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream is = Provenance.class.getResourceAsStream("/reconvene-build.properties")) {
            if (is != null) {
                p.load(is);
            }
        } catch (IOException e) {
            // Missing build facts are reported as "unknown", never fatal.
        }
        return p;
    }
}
