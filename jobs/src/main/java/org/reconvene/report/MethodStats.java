package org.reconvene.report;

/**
 * One method's results in one setting, averaged over seeds: the cells of a report row.
 * {@code speedupB1} and {@code sizeRatio} exist only where they were measured against the
 * unstructured counterpart in the same task (Reconvene); elsewhere they are null.
 */
public record MethodStats(
        String model,
        String dataset,
        String method,
        String scorer,
        Double sparsity,
        long seeds,
        double top1Mean,
        double top1Std,
        double params,
        double paramsNonzero,
        double sizeMb,
        double compression,
        double macs,
        double latencyMsB1,
        double latencyMsB64,
        Double sizeRatio,
        Double speedupB1,
        double pruneMs,
        double onnxGzipMb,
        double latencyOrtMsB1,
        double latencyOrtMsB64,
        Double speedupOrtB1) {}
