package org.reconvene.engine;

/**
 * Thrown by every computation in a JVM whose kernel check found no correct convolution path: the
 * trial fails with this class, naming the check and the host, instead of training on wrong numbers
 * or diverging. {@code bin/reconvene doctor} prints the check's table.
 */
public final class KernelCheckException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    KernelCheckException(KernelCheck.Outcome outcome) {
        super("float32 convolutions are wrong on host " + Host.name() + " (" + Host.cpuModel() + "), "
                + outcome.summary() + "; run 'bin/reconvene doctor' there and include its output in a bug report");
    }
}
