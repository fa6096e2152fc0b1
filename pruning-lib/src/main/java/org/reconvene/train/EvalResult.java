package org.reconvene.train;

/** Accuracy and loss of a network on a split: top-1, top-5, mean loss, samples seen. */
public record EvalResult(double top1, double top5, double loss, long samples) {}
