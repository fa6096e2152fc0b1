package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI's commands, their outputs and their exit codes. */
class CliTest {

    @ParameterizedTest
    @ValueSource(strings = {"models", "inspect", "datagen", "train", "prune", "sweep", "report", "infer", "kernel", "bench"})
    void everyCommandHasHelp(String command) {
        CliRun r = CliRun.of(command, "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: reconvene " + command), r.out());
    }

    @Test
    void modelsListsEveryModelWithItsDatasets() {
        CliRun r = CliRun.of("models");
        assertEquals(0, r.exit());
        for (String m : new String[] {"vgg11", "vgg13", "vgg16", "vgg19", "resnet20", "resnet32", "resnet56", "resnet18"}) {
            assertTrue(r.out().contains(m), m);
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("resnet18") && l.contains("tinyimagenet")));
    }

    @Test
    void inspectJsonHasTheDocumentedKeysAndTotalsAddUp() {
        CliRun r = CliRun.of("inspect", "--model", "resnet20", "--dataset", "cifar100", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        for (String k : new String[] {"params", "prunable", "macs", "layers"}) {
            assertTrue(o.has(k), k);
        }
        JsonArray layers = o.getAsJsonArray("layers");
        long params = 0;
        long macs = 0;
        for (int i = 0; i < layers.size(); i++) {
            params += layers.get(i).getAsJsonObject().get("params").getAsLong();
            macs += layers.get(i).getAsJsonObject().get("macs").getAsLong();
        }
        assertEquals(o.get("params").getAsLong(), params);
        assertEquals(o.get("macs").getAsLong(), macs);
        // fc is 64 -> 100 classes
        assertEquals(64 * 100 + 100, layers.get(layers.size() - 1).getAsJsonObject().get("params").getAsLong());
    }

    @Test
    void badUsageAndBadInputExitWithTwo() {
        assertEquals(2, CliRun.of("inspect", "--model", "resnet20").exit());
        assertEquals(2, CliRun.of("nosuchcommand").exit());
        CliRun unknown = CliRun.of("inspect", "--model", "vgg17", "--dataset", "cifar10");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("vgg17"), unknown.err());
        CliRun unsupported = CliRun.of("inspect", "--model", "resnet18", "--dataset", "cifar10");
        assertEquals(2, unsupported.exit());
        assertTrue(unsupported.err().contains("cifar10"), unsupported.err());
        CliRun badSize = CliRun.of("datagen", "--out", "/tmp/never", "--size", "48");
        assertEquals(2, badSize.exit());
        assertTrue(badSize.err().contains("48"), badSize.err());
    }

    @Test
    void missingDataIsBadInputNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nothing-here");
        CliRun r = CliRun.of("train", "--model", "resnet20", "--data", missing.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nothing-here"), r.err());
    }

    @Test
    void datagenThenTrainWritesSummary(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("syn");
        assertEquals(0, CliRun.of("datagen", "--out", data.toString(), "--classes", "4", "--train", "256",
                "--test", "64", "--seed", "5").exit());
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--model", "resnet20", "--data", data.toString(), "--epochs", "2",
                "--max-batches", "3", "--batch", "32", "--latency-runs", "3", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        for (String k : new String[] {"top1", "top1_best", "loss", "history", "train_ms", "params", "params_nonzero",
                "macs", "macs_nonzero", "serialized_bytes", "latency_ms_b1", "latency_ms_b64", "provenance"}) {
            assertTrue(s.has(k), "summary lacks " + k);
        }
        assertEquals(2, s.getAsJsonArray("history").size());
        assertEquals(3, s.getAsJsonArray("history").get(0).getAsJsonObject().get("batches").getAsInt());
        // resnet20 with a 4-class head: 272,474 - (64*10+10) + (64*4+4)
        assertEquals(272_474 - 650 + 260, s.get("params").getAsLong());
        assertTrue(s.get("latency_ms_b1").getAsDouble() > 0);
        assertTrue(s.get("top1").getAsDouble() >= 0 && s.get("top1").getAsDouble() <= 1);
        assertTrue(Files.isRegularFile(out.resolve("model").resolve("tensors.ndlist")));
    }

    @Test
    void trainStartsFromAPrunedNetworkAndKeepsItsMasks(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("syn");
        assertEquals(0, CliRun.of("datagen", "--out", data.toString(), "--classes", "10", "--train", "200",
                "--test", "50", "--seed", "2").exit());
        Path pruned = dir.resolve("p");
        assertEquals(0, CliRun.of("prune", "--model", "resnet20", "--data", data.toString(), "--method", "upai",
                "--scorer", "magnitude", "--sparsity", "0.8", "--latency-runs", "2", "--out", pruned.toString()).exit());
        Path out = dir.resolve("t");
        CliRun r = CliRun.of("train", "--init-model", pruned.resolve("model").toString(), "--data", data.toString(),
                "--epochs", "1", "--max-batches", "2", "--batch", "32", "--latency-runs", "2", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        long prunable = s.get("prunable").getAsLong();
        long nonzero = s.get("params").getAsLong() - s.get("params_nonzero").getAsLong();
        assertEquals(prunable - Math.round(0.2 * prunable), nonzero, "the masks survive training");
        try (org.reconvene.model.Network net = org.reconvene.model.NetworkStore.load(out.resolve("model"))) {
            for (var e : net.masks().entrySet()) {
                float[] w = net.tensor(e.getKey()).toFloatArray();
                float[] m = e.getValue().toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    assertTrue(m[i] != 0f || w[i] == 0f, "masked weight stays zero");
                }
            }
        }
        assertEquals(2, CliRun.of("train", "--data", data.toString(), "--out", out.toString()).exit(),
                "one of --model and --init-model is required");
    }
}
