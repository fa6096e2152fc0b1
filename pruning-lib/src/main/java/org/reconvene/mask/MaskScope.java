package org.reconvene.mask;

import java.util.Locale;

/** Whether weights compete for survival across the whole network or within each layer. */
public enum MaskScope {
    /** Rank all prunable weights together (docs/METHOD.md section 2, the default). */
    GLOBAL,
    /** Keep the same density in every layer, ranking within the layer. */
    LAYERWISE;

    /** Parses {@code global} or {@code layerwise}. */
    public static MaskScope parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mask scope '" + s + "'; use global or layerwise");
        }
    }
}
