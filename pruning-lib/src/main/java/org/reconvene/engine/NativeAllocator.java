package org.reconvene.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tunes glibc's {@code malloc} so that tensors reuse memory the process already touched instead
 * of fresh pages the kernel must fault in and zero.
 *
 * <p>libtorch allocates every tensor with {@code malloc}. In a JVM all of that runs on threads
 * other than the process's first, so it lands in glibc's per-thread arenas: heaps of at most
 * 64 MiB that glibc unmaps as soon as they fall empty, plus one {@code mmap} per block above the
 * mmap threshold. A training step frees most of its activations at the end, so with the defaults
 * the next step page-faulted them all again: 10,000 to 20,000 faults a step on ResNet-20, against
 * almost none in Python's PyTorch, whose tensors live in the main arena with its adaptive
 * thresholds (docs/PERFORMANCE.md).
 *
 * <p>{@link #tune()} raises the top pad above the arena heap size (so empty heaps are kept), the
 * trim threshold (so the main arena keeps its top) and the mmap threshold to glibc's maximum of
 * 32 MiB. The price is that a process keeps its peak footprint instead of returning it to the
 * system, which suits executors that run trial after trial. It is applied once per JVM, on the
 * engine's first use; {@code -Dreconvene.malloc.tune=false} leaves glibc's defaults. On other
 * platforms, or where {@code mallopt} cannot be found, it does nothing.
 */
public final class NativeAllocator {

    /** The system property that, set to {@code false}, keeps glibc's defaults. */
    public static final String PROPERTY = "reconvene.malloc.tune";

    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);
    // mallopt parameter numbers from glibc's malloc.h.
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int MIB = 1 << 20;
    /** Above glibc's 64 MiB arena heap size: an emptied heap is never given back. */
    static final int TOP_PAD = 128 * MIB;
    static final int TRIM_THRESHOLD = 1024 * MIB;
    /** glibc's upper bound for the mmap threshold on 64-bit systems. */
    static final int MMAP_THRESHOLD = 32 * MIB;

    private static volatile Boolean tuned;

    private NativeAllocator() {}

    private interface C extends Library {
        int mallopt(int param, int value);
    }

    /** Applies the tuning if it has not been tried in this JVM; returns whether it is in effect. */
    public static boolean tune() {
        Boolean t = tuned;
        if (t != null) {
            return t;
        }
        synchronized (NativeAllocator.class) {
            if (tuned == null) {
                tuned = apply();
            }
            return tuned;
        }
    }

    /** Whether the tuning is in effect in this JVM (false before {@link #tune()} ran). */
    public static boolean isTuned() {
        return Boolean.TRUE.equals(tuned);
    }

    private static boolean apply() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            LOG.info("glibc malloc left at its defaults ({}=false)", PROPERTY);
            return false;
        }
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            C c = Native.load("c", C.class);
            // mallopt returns 1 on success; fixing a threshold also stops glibc adapting it.
            boolean ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                    & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            if (!ok) {
                LOG.warn("mallopt refused part of the allocator tuning; tensors may page-fault more");
            }
            return ok;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("cannot tune glibc malloc ({}); tensors may page-fault more", e.toString());
            return false;
        }
    }
}
