package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `prune`: its summary and its NumPy exports, read back with an independent .npy parser. */
class PruneCommandTest {

    /** A parsed .npy entry: dtype descriptor, shape and raw little-endian data. */
    record Npy(String descr, long[] shape, ByteBuffer data) {
        float[] floats() {
            float[] f = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }
    }

    /** Reads an .npz by the NumPy format spec: magic, version, header dict, data. */
    static Map<String, Npy> readNpz(Path file) throws IOException {
        Map<String, Npy> out = new LinkedHashMap<>();
        try (InputStream is = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(is)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                byte[] all = zip.readAllBytes();
                DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(all));
                byte[] magic = new byte[6];
                d.readFully(magic);
                assertEquals("\u0093NUMPY", new String(magic, StandardCharsets.ISO_8859_1), e.getName());
                int major = d.readUnsignedByte();
                d.readUnsignedByte();
                int headerLen = major == 1
                        ? Short.toUnsignedInt(Short.reverseBytes(d.readShort()))
                        : Integer.reverseBytes(d.readInt());
                byte[] header = new byte[headerLen];
                d.readFully(header);
                String h = new String(header, StandardCharsets.ISO_8859_1);
                Matcher descr = Pattern.compile("'descr': *'([^']+)'").matcher(h);
                Matcher shape = Pattern.compile("'shape': *\\(([^)]*)\\)").matcher(h);
                assertTrue(descr.find() && shape.find(), h);
                String[] dims = shape.group(1).split(",");
                long[] s = java.util.Arrays.stream(dims).map(String::trim).filter(x -> !x.isEmpty())
                        .mapToLong(Long::parseLong).toArray();
                int offset = 6 + 2 + (major == 1 ? 2 : 4) + headerLen;
                String name = e.getName().replaceAll("\\.npy$", "");
                out.put(name, new Npy(descr.group(1), s, ByteBuffer.wrap(all, offset, all.length - offset).slice()));
            }
        }
        return out;
    }

    @Test
    void pruneWritesSummaryAndNumpyExportsThatAgree(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p");
        CliRun r = CliRun.of("prune", "--model", "resnet20", "--dataset", "cifar10", "--method", "upai",
                "--scorer", "snip", "--sparsity", "0.8", "--seed", "3", "--latency-runs", "2", "--export-npz",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        assertTrue(s.get("prune_ms").getAsLong() >= 0);
        JsonArray layers = s.getAsJsonArray("layers");
        assertEquals(22, layers.size()); // 19 convs + 2 shortcuts + fc
        assertTrue(layers.get(0).getAsJsonObject().has("density"));

        Map<String, Npy> init = readNpz(out.resolve("init.npz"));
        Map<String, Npy> masks = readNpz(out.resolve("masks.npz"));
        Map<String, Npy> scores = readNpz(out.resolve("scores.npz"));
        Map<String, Npy> batch = readNpz(out.resolve("batch.npz"));
        assertEquals(masks.keySet(), scores.keySet());
        assertTrue(init.keySet().containsAll(masks.keySet()));
        assertArrayEquals(new long[] {16, 3, 3, 3}, init.get("stem.conv.weight").shape());
        assertEquals("<f4", masks.get("fc.weight").descr());
        assertArrayEquals(new long[] {100, 3, 32, 32}, batch.get("x").shape());
        assertArrayEquals(new long[] {100}, batch.get("y").shape());

        // Exactly round(d * n) ones, and they sit on the highest scores (global ranking).
        long n = 0;
        long kept = 0;
        float minKept = Float.MAX_VALUE;
        float maxPruned = -Float.MAX_VALUE;
        long sumLayerNonzero = 0;
        for (String w : masks.keySet()) {
            float[] m = masks.get(w).floats();
            float[] sc = scores.get(w).floats();
            for (int i = 0; i < m.length; i++) {
                n++;
                if (m[i] == 1f) {
                    kept++;
                    minKept = Math.min(minKept, sc[i]);
                } else {
                    maxPruned = Math.max(maxPruned, sc[i]);
                }
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            sumLayerNonzero += layers.get(i).getAsJsonObject().get("nonzero").getAsLong();
        }
        assertEquals(Math.round(0.2 * n), kept);
        assertEquals(kept, sumLayerNonzero);
        assertTrue(minKept >= maxPruned, "kept scores dominate pruned ones");
        long params = s.get("params").getAsLong();
        assertEquals(params - (n - kept), s.get("params_nonzero").getAsLong());

        // SNIP score = |w * g|: zero exactly where the initial weight is zero, never negative.
        float[] w0 = init.get("layer2.1.conv1.weight").floats();
        float[] sc = scores.get("layer2.1.conv1.weight").floats();
        for (int i = 0; i < w0.length; i++) {
            assertTrue(sc[i] >= 0);
        }
    }

    @Test
    void badPruneInputsExitWithTwo(@TempDir Path dir) {
        assertEquals(2, CliRun.of("prune", "--model", "resnet20", "--dataset", "cifar10", "--scorer", "obd",
                "--out", dir.toString()).exit());
        CliRun sparsity = CliRun.of("prune", "--model", "resnet20", "--dataset", "cifar10", "--sparsity", "1.5",
                "--out", dir.toString());
        assertEquals(2, sparsity.exit());
        assertTrue(sparsity.err().contains("sparsity"), sparsity.err());
        assertEquals(2, CliRun.of("prune", "--model", "resnet20", "--out", dir.toString()).exit());
    }

    @Test
    void reconveneReportsRebuildAndSameRunComparison(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rc");
        CliRun r = CliRun.of("prune", "--model", "resnet20", "--dataset", "cifar10", "--method", "reconvene",
                "--scorer", "synflow", "--synflow-rounds", "20", "--sparsity", "0.95", "--tau", "0.6",
                "--latency-runs", "3", "--export-inference", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        // the inference export keeps the fold exactly when it measured faster at batch 1
        JsonObject inference = s.getAsJsonObject("inference");
        boolean folded = inference.get("folded").getAsBoolean();
        assertEquals(inference.get("folded_latency_ms_b1").getAsDouble() < inference.get("latency_ms_b1").getAsDouble(),
                folded);
        JsonObject inferenceSpec = JsonParser.parseString(Files.readString(out.resolve("inference").resolve("spec.json")))
                .getAsJsonObject();
        assertEquals(folded, inferenceSpec.has("batchNormFolded"), inferenceSpec.toString());
        for (String k : new String[] {"size_ratio", "speedup_b1", "speedup_b64", "upai_serialized_bytes",
                "upai_latency_ms_b1", "density_reached"}) {
            assertTrue(s.has(k), k);
        }
        assertEquals(s.get("upai_serialized_bytes").getAsDouble() / s.get("serialized_bytes").getAsDouble(),
                s.get("size_ratio").getAsDouble(), 1e-9);
        JsonArray layers = s.getAsJsonArray("layers");
        int rectified = 0;
        for (int i = 0; i < layers.size(); i++) {
            JsonObject l = layers.get(i).getAsJsonObject();
            for (String k : new String[] {"sensitivity", "rectified", "width_before", "width_after"}) {
                assertTrue(l.has(k), k);
            }
            if (l.get("rectified").getAsBoolean()) {
                rectified++;
                assertTrue(l.get("sensitivity").getAsDouble() <= 0.6);
            }
            assertTrue(l.get("width_after").getAsInt() <= l.get("width_before").getAsInt());
        }
        assertTrue(rectified > 0, "tau 0.6 rectifies some layers");
        assertTrue(s.get("size_ratio").getAsDouble() > 1, "the rebuilt network is smaller than upai stored dense");
        // the saved network reloads with the narrower spec
        JsonObject spec = JsonParser.parseString(Files.readString(out.resolve("model").resolve("spec.json")))
                .getAsJsonObject();
        int narrowed = 0;
        for (var e : spec.getAsJsonObject("widths").entrySet()) {
            narrowed += e.getValue().getAsInt() < 64 && e.getKey().startsWith("layer3") ? 1 : 0;
        }
        assertTrue(narrowed > 0 || rectified > 0);
    }

    @Test
    void spaiBaselinesReachTheTargetDensityApproximately(@TempDir Path dir) throws Exception {
        for (String m : new String[] {"spai-random", "spai-l1"}) {
            Path out = dir.resolve(m);
            assertEquals(0, CliRun.of("prune", "--model", "resnet20", "--dataset", "cifar10", "--method", m,
                    "--sparsity", "0.9", "--latency-runs", "2", "--out", out.toString()).exit());
            JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
            assertEquals(0.1, s.get("density_reached").getAsDouble(), 0.02, m);
            assertEquals(s.get("params").getAsLong(), s.get("params_nonzero").getAsLong(), m + " has no masks");
        }
    }
}
