package org.reconvene.cli;

import ai.djl.pytorch.jni.LibUtils;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reconvene.engine.ConvPath;
import org.reconvene.engine.Engines;
import org.reconvene.engine.Host;
import org.reconvene.engine.KernelCheck;
import picocli.CommandLine.Command;

/**
 * What a bug report needs, in one paste, as PyTorch users give {@code collect_env}: versions,
 * CPU, caches as the OS reports them, threads, and the kernel check on both convolution paths.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this machine: versions, CPU and caches, threads, and whether float32 convolutions are "
                + "right on each path (the kernel check). Exit 1 when no path computes correctly. Paste the output "
                + "into bug reports.")
final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        String mode = KernelCheck.requestedMode();
        Engines.ensureLoaded();
        KernelCheck.Outcome k = KernelCheck.run(mode, true);
        String[] version = new VersionProvider().getVersionQuietly();
        section("versions");
        row("reconvene", version[0]);
        row("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + "), max heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB");
        row("djl", Engines.djlVersion());
        row("pytorch", Engines.pytorchVersion() + " (" + LibUtils.getLibtorchPath() + ")");
        row("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        row("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
        row("onnxruntime", onnxRuntimeVersion());
        section("machine");
        row("host", Host.name());
        row("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        row("cpu", Host.cpuModel());
        row("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        row("isa", String.join(" ", Host.isaFlags()));
        Map<String, String> caches = Host.caches();
        if (caches.isEmpty()) {
            row("caches", "not reported (no getconf)");
        }
        caches.forEach((key, v) -> row(key.toLowerCase(java.util.Locale.ROOT), v.isEmpty() ? "(empty)" : v));
        section("settings");
        row("pytorch threads", Engines.threads() + " intra-op (RECONVENE_THREADS, ai.djl.pytorch.num_threads)");
        row(KernelCheck.PROPERTY, mode);
        row("DJL_CACHE_DIR", String.valueOf(System.getenv("DJL_CACHE_DIR")));
        section("kernel check (float32 against float64, relative error; ok below " + KernelCheck.TOLERANCE + ")");
        for (KernelCheck.Row r : k.rows()) {
            System.out.println("  " + r.describe());
        }
        System.out.println();
        System.out.println(k.summary());
        if (k.path() == null) {
            System.out.println("No convolution path computes correctly on this machine: trials would fail with "
                    + "KernelCheckException. Please report this output.");
            return ReconveneCli.EXIT_FAILURE;
        }
        if (k.path() == ConvPath.PADDED && mode.equals("auto")) {
            System.out.println("The engine's default kernels are wrong here; every run computes on the padded path "
                    + "(correct; training steps of pruned networks measured up to 1.3x slower, docs/PERFORMANCE.md).");
        }
        return 0;
    }

    private static String onnxRuntimeVersion() {
        try {
            return ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "unavailable (" + e + ")";
        }
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("## " + title);
    }

    private static void row(String key, String value) {
        System.out.printf("  %-24s %s%n", key, value);
    }
}
