package org.reconvene.prune;

/**
 * What pruning did to one prunable layer: its weights before and after masks, and its density.
 */
public record LayerReport(String name, long weights, long nonzero, double density) {}
