package org.reconvene.sweep;

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
import org.reconvene.trial.TrialResult;

/** A result key without a declared column is an error, not a silently missing column. */
class TrialRowWriterTest {

    @Test
    void aMetricWithoutAColumnIsRefusedAndNothingIsWritten(@TempDir Path dir) {
        TrialResult r = new TrialResult("abc", TrialResult.Status.OK, null, null, Map.of("model", "resnet20"),
                Map.of("top1", 0.5, "top1_renamed", 0.5), List.of(), List.of(), Map.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrialRowWriter.write(r, "s", dir.toString(), new Configuration()));
        assertTrue(e.getMessage().contains("'top1_renamed'") && e.getMessage().contains("ResultSchema"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("sweep=s").resolve("abc.parquet")));
        assertFalse(Files.exists(dir.resolve("sweep=s").resolve(ResultStore.STAGING)), "no staging file left");
    }
}
