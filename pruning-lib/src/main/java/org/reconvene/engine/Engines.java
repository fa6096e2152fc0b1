package org.reconvene.engine;

import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One place that loads DJL's PyTorch engine and reports what it runs on.
 *
 * <p>The engine loads lazily on first use; thread count comes from the system property
 * {@code ai.djl.pytorch.num_threads}, which must be set before that first use (the launcher
 * and Spark tasks do so). Natives come from the {@code pytorch-native-cpu} jar on the class
 * path; {@code ai.djl.offline=true} guarantees nothing is downloaded.
 *
 * <p>The first load also runs the {@link KernelCheck} (about a second) and logs its outcome in one
 * line; {@link #convPath()} is the path every network then computes on.
 */
public final class Engines {

    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
    private static volatile boolean loaded;
    private static volatile KernelCheck.Outcome kernels;
    /** Set while the check runs on the loading thread, whose own engine calls must not wait for it. */
    private static boolean checking;
    private static final ThreadLocal<ConvPath> OVERRIDE = new ThreadLocal<>();

    private Engines() {}

    /** Whether the engine has been loaded in this JVM (asking does not load it). */
    public static boolean isLoaded() {
        return loaded;
    }

    /**
     * Loads the PyTorch engine if it is not loaded yet and returns it; the first call also tunes
     * the native allocator ({@link NativeAllocator}).
     */
    public static Engine ensureLoaded() {
        NativeAllocator.tune();
        Engine e = Engine.getEngine("PyTorch");
        if (!loaded) {
            NativeLogging.quiet();
        }
        loaded = true;
        if (kernels == null) {
            checkKernels(false);
        }
        return e;
    }

    /**
     * The outcome of this JVM's kernel check (running it if the engine was not loaded yet).
     */
    public static KernelCheck.Outcome kernels() {
        ensureLoaded();
        return kernels;
    }

    /**
     * The convolution path networks compute on in this JVM.
     *
     * @throws KernelCheckException if the kernel check found no correct path on this host
     */
    public static ConvPath convPath() {
        ConvPath forced = OVERRIDE.get();
        if (forced != null) {
            return forced;
        }
        KernelCheck.Outcome k = kernels();
        if (k == null) {
            // only while the check itself runs on this thread
            return ConvPath.DEFAULT;
        }
        if (k.path() == null) {
            throw new KernelCheckException(k);
        }
        return k.path();
    }

    /**
     * The path's name for provenance ({@code kernel_path}): {@link #convPath()}'s id, or {@code none}
     * where the check found no correct path. Never throws, so a failed trial still gets its row.
     */
    public static String convPathName() {
        try {
            return convPath().id();
        } catch (KernelCheckException e) {
            return "none";
        }
    }

    /**
     * Computes on {@code path} on this thread until the returned scope closes, whatever the check
     * chose: for benchmarks that time both paths in one run, and tests that cross-check them. On a
     * host where the default kernels are wrong, forcing them gives wrong numbers.
     */
    public static PathScope computeOn(ConvPath path) {
        ensureLoaded();
        ConvPath previous = OVERRIDE.get();
        OVERRIDE.set(path);
        return () -> OVERRIDE.set(previous);
    }

    /** A {@link #computeOn} scope; closing it restores the thread's previous path. */
    @FunctionalInterface
    public interface PathScope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs the kernel check again and computes on what it chooses from now on: for tests that
     * inject a fault ({@link Convolutions#injectFault}) or change {@link KernelCheck#PROPERTY}.
     */
    public static KernelCheck.Outcome recheckKernels() {
        ensureLoaded();
        return checkKernels(true);
    }

    private static synchronized KernelCheck.Outcome checkKernels(boolean again) {
        if (checking || (kernels != null && !again)) {
            return kernels;
        }
        checking = true;
        try {
            KernelCheck.Outcome k = KernelCheck.run(KernelCheck.requestedMode(), false);
            if (k.path() == ConvPath.DEFAULT) {
                LOG.info("{}", k.summary());
            } else if (k.path() != null && !k.mode().equals("auto")) {
                LOG.info("{} ({}={})", k.summary(), KernelCheck.PROPERTY, k.mode());
            } else {
                LOG.warn("{}; on host {} ({}); see 'bin/reconvene doctor'", k.summary(), Host.name(), Host.cpuModel());
                for (KernelCheck.Row r : k.rows()) {
                    LOG.debug("kernel check: {}", r.describe());
                }
            }
            kernels = k;
            return k;
        } finally {
            checking = false;
        }
    }

    /** The PyTorch version the engine runs, e.g. {@code 2.7.1}. */
    public static String pytorchVersion() {
        return ensureLoaded().getVersion();
    }

    /** DJL's version, as DJL reports it (its jar manifest's specification version). */
    public static String djlVersion() {
        String v = Engine.getDjlVersion();
        if (v == null || v.isBlank()) {
            v = Engine.class.getPackage().getSpecificationVersion();
        }
        return v == null ? "unknown" : v;
    }

    /** The number of intra-op threads PyTorch uses in this JVM. */
    public static int threads() {
        ensureLoaded();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /**
     * Sets PyTorch's intra-op threads for this JVM (a process-wide setting). Spark tasks call it
     * with {@code spark.task.cpus}, so that concurrent trials in one executor do not oversubscribe
     * its cores: oversubscribed PyTorch threads were measured to slow training tenfold and more.
     */
    public static synchronized void setThreads(int threads) {
        ensureLoaded();
        if (threads > 0 && ai.djl.pytorch.jni.JniUtils.getNumThreads() != threads) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }
}
