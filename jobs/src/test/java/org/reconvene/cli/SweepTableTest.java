package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.reconvene.trial.TrialResult;

/** The sweep's final table: beyond the fixed columns, exactly the config knobs that differ between rows. */
class SweepTableTest {

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
        assertEquals(List.of("lr"), SweepTable.varyingKnobs(rows(results)));
        row(results, "d", 0.1, "step", 50);
        assertEquals(List.of("synflow_rounds", "lr", "schedule"), SweepTable.varyingKnobs(rows(results)));
        String table = SweepTable.render(rows(results));
        assertTrue(table.lines().count() == 2 + 4 && table.contains("synflow_rounds") && table.contains("0.5000"), table);
    }

    private static List<Map<String, Object>> rows(String results) {
        return ResultTable.at(results, new Configuration()).scan("s").rows().stream()
                .map(org.reconvene.results.ResultScan.RowFile::values).toList();
    }
}
