package org.reconvene.prune;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a trial prunes: not at all, unstructured masks, or a structured rebuild. */
public enum PruningMethod {
    /** The unpruned network. */
    DENSE("dense"),
    /** Unstructured pruning at initialization: scores and global masks (docs/METHOD.md section 3). */
    UPAI("upai"),
    /** Reconvene: unstructured masks, then PSE and RLR rebuild the non-sensitive layers (section 5). */
    RECONVENE("reconvene"),
    /** Same fraction of random channels in every group (section 4). */
    SPAI_RANDOM("spai-random"),
    /** Same fraction of largest-L1 filters in every group (section 4). */
    SPAI_L1("spai-l1"),
    /** Per-layer widths from an unstructured mask, PreCrop-style (section 4). */
    SPAI_LAYERWISE("spai-layerwise");

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
        return this == UPAI || this == RECONVENE || this == SPAI_LAYERWISE;
    }

    /** Whether the method rebuilds a physically narrower network. */
    public boolean structured() {
        return this == RECONVENE || this == SPAI_RANDOM || this == SPAI_L1 || this == SPAI_LAYERWISE;
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
