package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `infer`: a network saved by `train` evaluates to the accuracy its summary reports. */
class InferCommandTest {

    @TempDir
    static Path tmp;

    private static Path data;
    private static Path run;
    private static JsonObject summary;

    @BeforeAll
    static void trainBriefly() throws Exception {
        data = tmp.resolve("syn");
        CliRun gen = CliRun.of("datagen", "--out", data.toString(), "--classes", "4", "--train", "256",
                "--test", "72", "--seed", "9");
        assertEquals(0, gen.exit(), gen.err());
        run = tmp.resolve("run");
        // One epoch of 8 batches: with fewer, BatchNorm's running statistics are still mostly their
        // initial values and the network predicts one class for everything, which would make
        // "infer agrees with the summary" hold trivially.
        CliRun train = CliRun.of("train", "--model", "resnet20", "--data", data.toString(), "--epochs", "1",
                "--max-batches", "8", "--batch", "32", "--lr", "0.05", "--no-augment", "--latency-runs", "1",
                "--out", run.toString());
        assertEquals(0, train.exit(), train.err());
        summary = JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
        assertTrue(summary.get("top1").getAsDouble() > 0.25 + 1e-9,
                "the briefly trained network must beat predicting one class: " + summary.get("top1"));
    }

    private static JsonObject inferJson(String... extra) {
        String[] base = {"infer", "--model-dir", run.resolve("model").toString(), "--data", data.toString(),
                "--latency-runs", "1", "--json"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void accuracyAndMetricsMatchTheTrainingSummary() {
        JsonObject o = inferJson();
        assertEquals(72, o.get("samples").getAsLong());
        assertEquals(summary.get("top1").getAsDouble(), o.get("top1").getAsDouble(), 1e-9);
        assertEquals(summary.get("top5").getAsDouble(), o.get("top5").getAsDouble(), 1e-9);
        // The summary's "loss" is the training loss; the test loss is in the last epoch's history.
        JsonObject lastEpoch = summary.getAsJsonArray("history").get(0).getAsJsonObject();
        assertEquals(lastEpoch.get("testLoss").getAsDouble(), o.get("loss").getAsDouble(), 1e-6);
        for (String k : new String[] {"params", "params_nonzero", "macs", "macs_nonzero", "serialized_bytes"}) {
            assertEquals(summary.get(k).getAsLong(), o.get(k).getAsLong(), k);
        }
        assertTrue(o.get("latency_ms_b1").getAsDouble() > 0);
        assertTrue(o.get("latency_ms_b64").getAsDouble() > 0);
        assertEquals("resnet20", o.get("arch").getAsString());
        assertEquals(4, o.get("num_classes").getAsInt());
        assertFalse(o.get("masked").getAsBoolean());

        // Inference-mode BatchNorm treats samples independently, so another batch size (with a
        // ragged last batch) may only change float rounding, not which class wins.
        JsonObject small = inferJson("--batch", "7");
        assertEquals(72, small.get("samples").getAsLong());
        assertEquals(o.get("top1").getAsDouble(), small.get("top1").getAsDouble(), 1e-9);
        assertEquals(o.get("loss").getAsDouble(), small.get("loss").getAsDouble(), 1e-6 * o.get("loss").getAsDouble());

    }

    @Test
    void prunedNetworkKeepsItsMasks() throws Exception {
        Path pruned = tmp.resolve("pruned");
        CliRun p = CliRun.of("prune", "--model", "resnet20", "--data", data.toString(), "--scorer", "random",
                "--sparsity", "0.9", "--latency-runs", "1", "--out", pruned.toString());
        assertEquals(0, p.exit(), p.err());
        JsonObject ps = JsonParser.parseString(Files.readString(pruned.resolve("summary.json"))).getAsJsonObject();
        CliRun r = CliRun.of("infer", "--model-dir", pruned.resolve("model").toString(), "--data", data.toString(),
                "--latency-runs", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("masked").getAsBoolean());
        assertEquals(ps.get("params_nonzero").getAsLong(), o.get("params_nonzero").getAsLong());
        assertTrue(o.get("params_nonzero").getAsLong() < o.get("params").getAsLong() / 5);
        assertEquals(ps.get("macs_nonzero").getAsLong(), o.get("macs_nonzero").getAsLong());
    }

    @Test
    void tableNamesEveryMetricAndMaxBatchesCapsTheSamples() {
        CliRun r = CliRun.of("infer", "--model-dir", run.resolve("model").toString(), "--data", data.toString(),
                "--latency-runs", "1", "--batch", "16", "--max-batches", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("samples +32")), r.out());
        for (String k : new String[] {"top1", "top5", "loss", "samples", "params", "params_nonzero", "macs",
                "latency_ms_b1", "latency_ms_b64"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(k + " ")), "table lacks " + k + ":\n" + r.out());
        }
    }

    @Test
    void missingModelDirIsBadInputNamingIt() {
        Path missing = tmp.resolve("no-such-model");
        CliRun r = CliRun.of("infer", "--model-dir", missing.toString(), "--data", data.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no-such-model"), r.err());
        // A directory that holds something else is a missing save, named by its file.
        CliRun notSaved = CliRun.of("infer", "--model-dir", data.toString(), "--data", data.toString());
        assertEquals(2, notSaved.exit());
        assertTrue(notSaved.err().contains("spec.json"), notSaved.err());
    }

    @Test
    void datasetThatDoesNotFitTheNetworkIsBadInputNamingBoth() {
        Path other = tmp.resolve("three-classes");
        assertEquals(0, CliRun.of("datagen", "--out", other.toString(), "--classes", "3", "--train", "6",
                "--test", "3").exit());
        CliRun classes = CliRun.of("infer", "--model-dir", run.resolve("model").toString(), "--data", other.toString());
        assertEquals(2, classes.exit());
        assertTrue(classes.err().contains("4 classes") && classes.err().contains("has 3"), classes.err());

        Path big = tmp.resolve("size64");
        assertEquals(0, CliRun.of("datagen", "--out", big.toString(), "--classes", "4", "--train", "4",
                "--test", "4", "--size", "64").exit());
        CliRun size = CliRun.of("infer", "--model-dir", run.resolve("model").toString(), "--data", big.toString());
        assertEquals(2, size.exit());
        assertTrue(size.err().contains("3x32x32") && size.err().contains("3x64x64"), size.err());
    }

    @Test
    void badOptionsExitWithTwoNamingTheOption() {
        CliRun r = CliRun.of("infer", "--model-dir", run.resolve("model").toString(), "--data", data.toString(),
                "--batch", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--batch"), r.err());
        assertEquals(2, CliRun.of("infer", "--data", data.toString()).exit());
    }

    @Test
    void helpExitsWithZero() {
        CliRun r = CliRun.of("infer", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: reconvene infer"), r.out());
        assertTrue(r.out().contains("--model-dir"), r.out());
    }
}
