package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
import org.reconvene.results.ResultTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.report.Results;
import org.reconvene.sweep.SparkTestBase;
import org.reconvene.trial.TrialResult;

/** The sweep's final table: beyond the fixed columns, exactly the config knobs that differ between rows. */
class SweepTableTest extends SparkTestBase {

    private static void row(String results, String id, double lr, String schedule, Integer rounds) {
        Map<String, Object> config = new HashMap<>();
        config.put("model", "resnet20");
        config.put("dataset", "fashion-mnist");
        config.put("method", "upai");
        config.put("seed", 0L);
        config.put("lr", lr);
        config.put("epochs", 2);
        config.put("schedule", schedule);
        config.put("synflow_rounds", rounds);
        ResultTable.at(results, new Configuration()).commit("s", new TrialResult(id, null, TrialResult.Status.OK, null,
                null, config, new MetricValues().put(Metric.TOP1, 0.5), List.of(), List.of(), Map.of()));
    }

    @Test
    void theKnobsThatDifferAreShownAndTheOthersAreNot(@TempDir Path dir) {
        String results = dir.resolve("r").toString();
        row(results, "a", 0.1, "cosine", 100);
        row(results, "b", 0.05, "cosine", null);
        row(results, "c", 0.1, "cosine", 100);
        // lr differs; schedule and epochs are the same everywhere; synflow_rounds is null where it does not apply.
        assertEquals(List.of("lr"), SweepCommand.varyingKnobs(Results.load(spark, results)));
        row(results, "d", 0.1, "step", 50);
        assertEquals(List.of("synflow_rounds", "lr", "schedule"), SweepCommand.varyingKnobs(Results.load(spark, results)));
    }
}
