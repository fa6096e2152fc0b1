package org.reconvene.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGINT (Ctrl-C) and SIGTERM into an orderly stop of a long command: the command's stop
 * action runs once (a sweep stops its Spark context, which fails the running job), logging is
 * silenced so that the stop does not print Spark's traces, and the command reports in one line
 * and exits with 130 or 143, as a shell expects of a process ended by a signal.
 *
 * <p>Committed results need nothing from this: every row commit is atomic, so a process killed
 * outright (SIGKILL) loses only the trials still running. This class is about what the user sees.
 * If the orderly stop hangs, or a second signal arrives, the process halts.
 */
final class Interruption implements AutoCloseable {

    /** How long an orderly stop may take before the process halts. */
    private static final long GRACE_MS = 20_000;

    private final AtomicInteger exitCode = new AtomicInteger();
    private final SignalHandler previousInt;
    private final SignalHandler previousTerm;

    private Interruption(Runnable stop) {
        SignalHandler h = sig -> {
            int code = 128 + sig.getNumber();
            if (!exitCode.compareAndSet(0, code)) {
                Runtime.getRuntime().halt(code);
            }
            org.apache.logging.log4j.core.config.Configurator.setAllLevels(
                    org.apache.logging.log4j.LogManager.ROOT_LOGGER_NAME, org.apache.logging.log4j.Level.OFF);
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(GRACE_MS);
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("interrupted: the orderly stop took over " + GRACE_MS / 1000 + " s; halting");
                Runtime.getRuntime().halt(code);
            }, "interruption-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            stop.run();
        };
        previousInt = install("INT", h);
        previousTerm = install("TERM", h);
    }

    /**
     * The previous handler, or null where the JVM does not let this signal be handled (-Xrs, or an
     * ignored signal): the command then keeps the JVM's default behaviour rather than failing.
     */
    private static SignalHandler install(String name, SignalHandler h) {
        try {
            return Signal.handle(new Signal(name), h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Installs the handlers until {@link #close()}; {@code stop} runs on the first signal. */
    static Interruption install(Runnable stop) {
        return new Interruption(stop);
    }

    /** Whether a signal arrived. */
    boolean signalled() {
        return exitCode.get() != 0;
    }

    /** 130 after SIGINT, 143 after SIGTERM; 0 when no signal arrived. */
    int exitCode() {
        return exitCode.get();
    }

    @Override
    public void close() {
        if (previousInt != null) {
            Signal.handle(new Signal("INT"), previousInt);
        }
        if (previousTerm != null) {
            Signal.handle(new Signal("TERM"), previousTerm);
        }
    }
}
