package org.reconvene.engine;

import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.File;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps libtorch's own warnings off the user's terminal and logs.
 *
 * <p>libtorch writes warnings straight to the process's standard error through c10's logger:
 * hundreds of {@code Could not initialize NNPACK! Reason: Unsupported hardware.} per run on CPUs
 * NNPACK does not know (one per convolution that consults it; the engine computes with oneDNN
 * anyway), and deprecation notices about how it is called. None of them is something a user can
 * act on. c10's threshold is the exported variable {@code FLAGS_caffe2_log_level} of
 * {@code libc10.so} (0 info, 1 warning, 2 error); it is raised to error once the engine has
 * loaded. {@value #PROPERTY}{@code =true} keeps the warnings, for whoever debugs the engine.
 */
final class NativeLogging {

    /** The system property that, set to {@code true}, keeps libtorch's warnings. */
    static final String PROPERTY = "reconvene.torch.warnings";
    private static final Logger LOG = LoggerFactory.getLogger(NativeLogging.class);
    private static final String LEVEL = "FLAGS_caffe2_log_level";
    private static final int ERROR = 2;

    private NativeLogging() {}

    /** Raises c10's log threshold to errors unless {@value #PROPERTY} is true; call after the engine loaded. */
    static void quiet() {
        if (Boolean.getBoolean(PROPERTY)) {
            return;
        }
        Pointer level = level();
        if (level == null) {
            LOG.debug("libc10's {} not found; libtorch's warnings are left on", LEVEL);
            return;
        }
        level.setInt(0, ERROR);
    }

    /** c10's current log threshold, or -1 where it cannot be read. */
    static int threshold() {
        Pointer level = level();
        return level == null ? -1 : level.getInt(0);
    }

    private static Pointer level() {
        try {
            // The engine loaded libc10.so from its own directory; opening it again by that path
            // returns the same, already loaded library.
            String dir = LibUtils.getLibtorchPath();
            File lib = new File(dir, "libc10.so");
            NativeLibrary c10 = NativeLibrary.getInstance(lib.exists() ? lib.getAbsolutePath() : "c10");
            return c10.getGlobalVariableAddress(LEVEL);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }
}
