package org.reconvene.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags a child JVM started by a command (the Jupyter kernel, a benchmark's cluster)
 * inherits from this one: module openings for Spark and the DJL and JDK system properties, with
 * downloads off. Heap size, agents and debugger flags are not carried over.
 */
public final class ChildJvmFlags {

    private ChildJvmFlags() {}

    /** The inherited subset of {@code inputArguments} (this JVM's, from the runtime MXBean). */
    public static List<String> of(List<String> inputArguments) {
        List<String> out = new ArrayList<>();
        for (String a : inputArguments) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dai.djl.")
                    || a.startsWith("-Djdk.reflect.")) {
                out.add(a);
            }
        }
        if (!out.contains("-Dai.djl.offline=true")) {
            out.add("-Dai.djl.offline=true");
        }
        out.add("-Djava.awt.headless=true");
        return out;
    }
}
