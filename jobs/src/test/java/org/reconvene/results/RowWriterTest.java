package org.reconvene.results;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
import org.reconvene.trial.TrialResult;

/**
 * A config or provenance key without a declared column is an error, not a silently missing column
 * (metrics cannot be undeclared: they are {@link Metric} constants).
 */
class RowWriterTest {

    @Test
    void aKeyWithoutAColumnIsRefusedAndNothingIsWritten(@TempDir Path dir) {
        TrialResult r = new TrialResult("abc", null, TrialResult.Status.OK, null, null, Map.of("model", "resnet20"),
                new MetricValues().put(Metric.TOP1, 0.5), List.of(), List.of(), Map.of("gpu_name", "none"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ResultTable.at(dir.toString(), new Configuration()).commit("s", r));
        assertTrue(e.getMessage().contains("'gpu_name'") && e.getMessage().contains("ResultSchema"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("sweep=s").resolve("abc.parquet")));
        assertFalse(Files.exists(dir.resolve("sweep=s").resolve(ResultTable.STAGING)), "no staging file left");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNamingTheMetric() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MetricValues().put(Metric.PARAMS, 1.5));
        assertTrue(e.getMessage().contains("params"), e.getMessage());
    }
}
