package org.reconvene.engine;

import ai.djl.engine.Engine;

/**
 * One place that loads DJL's PyTorch engine and reports what it runs on.
 *
 * <p>The engine loads lazily on first use; thread count comes from the system property
 * {@code ai.djl.pytorch.num_threads}, which must be set before that first use (the launcher
 * and Spark tasks do so). Natives come from the {@code pytorch-native-cpu} jar on the class
 * path; {@code ai.djl.offline=true} guarantees nothing is downloaded.
 */
public final class Engines {

    private static volatile boolean loaded;

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
        loaded = true;
        return e;
    }

    /** The PyTorch version the engine runs, e.g. {@code 2.7.1}. */
    public static String pytorchVersion() {
        return ensureLoaded().getVersion();
    }

    /** DJL's version, from its own jar. */
    public static String djlVersion() {
        String v = Engine.class.getPackage().getImplementationVersion();
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
