package org.reconvene.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the machine says about itself: host name, CPU model and instruction set flags, and cache
 * sizes as the operating system reports them. Kernel libraries size their blocking from these
 * (oneDNN reads the caches), so they go into bug reports and kernel-check failures.
 */
public final class Host {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private Host() {}

    /** The host name, or {@code unknown}. */
    public static String name() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The CPU model ({@code model name} of /proc/cpuinfo, with its family and model numbers), or the JVM's arch. */
    public static String cpuModel() {
        Map<String, String> cpu = firstCpu();
        String name = cpu.get("model name");
        if (name == null) {
            return System.getProperty("os.arch");
        }
        String family = cpu.get("cpu family");
        String model = cpu.get("model");
        return family == null ? name : name + " (family " + family + ", model " + model + ")";
    }

    /** The vector and matrix instruction sets the CPU reports, e.g. {@code avx2 fma avx512f}. */
    public static List<String> isaFlags() {
        String flags = firstCpu().getOrDefault("flags", "");
        List<String> out = new ArrayList<>();
        for (String f : flags.split("\\s+")) {
            if (f.startsWith("avx") || f.startsWith("sse") || f.equals("fma") || f.startsWith("amx")
                    || f.equals("f16c") || f.startsWith("ssse")) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Cache sizes and associativity as the C library reports them ({@code getconf -a}, which is
     * what software sees; virtual machines often report odd geometry), or an empty map where
     * {@code getconf} is unavailable.
     */
    public static Map<String, String> caches() {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            Process p = new ProcessBuilder("getconf", "-a").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            for (String line : text.split("\n")) {
                String[] kv = line.trim().split("\\s+", 2);
                if (kv.length == 2 && kv[0].startsWith("LEVEL") && kv[0].contains("CACHE")
                        && (kv[0].endsWith("_SIZE") || kv[0].endsWith("_ASSOC"))) {
                    out.put(kv[0], kv[1]);
                }
            }
        } catch (IOException e) {
            // no getconf: nothing to report
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** The fields of the first processor in /proc/cpuinfo; empty where there is none. */
    private static Map<String, String> firstCpu() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(CPUINFO, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: callers fall back
        }
        return m;
    }
}
