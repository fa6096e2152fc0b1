package org.reconvene.prune;

/**
 * What pruning did to one prunable layer: weights before and after masks, density, output
 * widths before and after a structured rebuild, PSE's sensitivity (NaN where PSE did not run)
 * and whether RLR rebuilt the layer.
 */
public record LayerReport(
        String name,
        long weights,
        long nonzero,
        double density,
        int widthBefore,
        int widthAfter,
        double sensitivity,
        boolean rectified) implements java.io.Serializable {}
