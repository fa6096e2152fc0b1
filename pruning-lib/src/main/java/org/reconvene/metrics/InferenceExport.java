package org.reconvene.metrics;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reconvene.model.BatchNormFolding;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;

/**
 * Saves a network in its deployment form: with BatchNorm folded into the convolutions when that
 * is measured to lower batch-1 latency, else as it is. The decision is a measurement, not an
 * assumption, because on a few tiny layers the two forms time the same and nothing is gained.
 *
 * <p>Both forms are timed in alternating runs in this process (docs/METHOD.md section 7), at batch 1
 * and 64; the figures come back with the decision, to be recorded with the export.
 */
public final class InferenceExport {

    private InferenceExport() {}

    /**
     * Writes {@code net}'s inference form to {@code dir} and returns {@code folded} (whether the
     * fold was kept) and the latencies of both forms and their ratio at batch 1 and 64.
     */
    public static Map<String, Object> export(Network net, Path dir, int runs) {
        try (Network folded = BatchNormFolding.fold(net)) {
            LatencyMeter meter = LatencyMeter.of(Math.max(2, runs / 5), runs);
            double[] b1 = meter.compare(List.of(net, folded), 1);
            double[] b64 = meter.compare(List.of(net, folded), 64);
            boolean keep = b1[1] < b1[0];
            NetworkStore.save(keep ? folded : net, dir);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("folded", keep);
            m.put("latency_ms_b1", b1[0]);
            m.put("folded_latency_ms_b1", b1[1]);
            m.put("fold_speedup_b1", b1[0] / b1[1]);
            m.put("latency_ms_b64", b64[0]);
            m.put("folded_latency_ms_b64", b64[1]);
            m.put("fold_speedup_b64", b64[0] / b64[1]);
            return m;
        }
    }
}
