package org.reconvene.prune;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a trial prunes: not at all, unstructured masks, or a structured rebuild. */
public enum PruningMethod {
    /** The unpruned network. */
    DENSE("dense"),
    /** Unstructured pruning at initialization: scores and global masks (METHOD.md section 3). */
    UPAI("upai");

    private final String configName;

    PruningMethod(String configName) {
        this.configName = configName;
    }

    /** The name used in configs and on the command line. */
    public String configName() {
        return configName;
    }

    /** Whether the method needs an unstructured scorer. */
    public boolean usesScorer() {
        return this != DENSE;
    }

    /** Parses a config name; an unknown one is an error listing the known ones. */
    public static PruningMethod parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (PruningMethod m : values()) {
            if (m.configName.equals(k)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + s + "'; known: "
                + Arrays.stream(values()).map(PruningMethod::configName).collect(Collectors.joining(", ")));
    }
}
