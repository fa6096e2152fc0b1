package org.reconvene.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.engine.Autograd;
import org.reconvene.prune.Pruner;
import org.reconvene.prune.PruningConfig;
import org.reconvene.prune.PruningMethod;

/**
 * Saving and loading networks: a saved network must come back bit for bit (tensors, masks,
 * spec) and compute the same outputs, and a damaged save must be reported as bad input naming
 * the damaged file.
 */
class NetworkStoreTest {

    @TempDir
    Path tmp;

    /** ResNet-20 pruned to 10% density by random scores, with non-default BatchNorm statistics. */
    private static Network prunedResnet20() {
        Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(10)).optSeed(7).build();
        try {
            Pruner.prune(net,
                    PruningConfig.builder().setMethod(PruningMethod.UPAI).optScorer("random").optSparsity(0.9).build(),
                    null, 1);
            randomizeRunningStats(net, 11);
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /**
     * Fresh running statistics are all 0 and 1, which a loader could reproduce without reading
     * them; random ones prove they are actually stored and read back.
     */
    private static void randomizeRunningStats(Network net, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (ParameterInfo p : net.infos().values()) {
            boolean mean = p.name().endsWith(".running_mean");
            boolean var = p.name().endsWith(".running_var");
            if (!mean && !var) {
                continue;
            }
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = mean ? (float) (rng.nextDouble() - 0.5) : (float) (0.5 + rng.nextDouble());
            }
            net.replaceTensor(p.name(),
                    NativeArrays.create(net.manager(), v, new Shape(p.shape()), DataType.FLOAT32));
        }
    }

    private static void assertSameArrays(Map<String, NDArray> expected, Map<String, NDArray> actual, String what) {
        assertEquals(expected.keySet().stream().toList(), actual.keySet().stream().toList(), what + " names and order");
        for (Map.Entry<String, NDArray> e : expected.entrySet()) {
            NDArray a = actual.get(e.getKey());
            assertEquals(e.getValue().getShape(), a.getShape(), what + " " + e.getKey() + " shape");
            assertEquals(e.getValue().getDataType(), a.getDataType(), what + " " + e.getKey() + " type");
            assertArrayEquals(e.getValue().toByteArray(), a.toByteArray(), what + " " + e.getKey() + " bytes");
        }
    }

    /** Logits of a fixed random batch of 4 in inference mode (shared with the folding test). */
    static float[] logits(Network net) {
        try (Autograd ignored = Autograd.disable();
                NDManager m = NDManager.newBaseManager()) {
            int s = net.spec().inputSize();
            float[] x = new float[4 * net.spec().inputChannels() * s * s];
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (2 * rng.nextDouble() - 1);
            }
            NDArray in = m.create(x, new Shape(4, net.spec().inputChannels(), s, s));
            return net.forward(in, false).toFloatArray();
        }
    }

    private static long savedBytes(Path dir) throws IOException {
        return Files.size(dir.resolve(NetworkStore.SPEC)) + Files.size(dir.resolve(NetworkStore.TENSORS));
    }

    @Test
    void prunedNetworkRoundTripsBitForBit() throws IOException {
        Path dir = tmp.resolve("r20");
        try (Network net = prunedResnet20()) {
            assertEquals(22, net.masks().size(), "every conv and Linear weight is masked");
            NetworkStore.save(net, dir);
            assertTrue(Files.isRegularFile(dir.resolve(NetworkStore.MASKS)));
            assertEquals(NetworkStore.serializedBytes(net), savedBytes(dir));
            float[] before = logits(net);
            try (Network back = NetworkStore.load(dir)) {
                assertEquals(net.spec(), back.spec());
                assertSameArrays(net.tensors(), back.tensors(), "tensor");
                assertSameArrays(net.masks(), back.masks(), "mask");
                assertArrayEquals(before, logits(back));
                assertEquals(NetworkStore.serializedBytes(net), NetworkStore.serializedBytes(back));
            }
        }
    }

    /** An imported architecture travels with the network: a JVM that never saw the file loads it. */
    @Test
    void anImportedNetworkLoadsWhereItsFileWasNeverRead() throws IOException {
        Path dir = tmp.resolve("imported");
        ImportedArchitecture a = ImportedArchitecture.of(OnnxFixtures.bytes("dwresnet"), "/models/dw.onnx");
        try (Network net = Network.builder().setSpec(a.defaultSpec(10, 3)).optSeed(4).build()) {
            NetworkStore.save(net, dir);
            assertArrayEquals(OnnxFixtures.bytes("dwresnet"), Files.readAllBytes(dir.resolve(NetworkStore.ARCHITECTURE)));
            float[] before = logits(net);
            Architectures.forgetImported(); // as in a fresh JVM
            assertThrows(IllegalArgumentException.class, () -> Architectures.get(a.name()));
            try (Network back = NetworkStore.load(dir)) {
                assertEquals(net.spec(), back.spec());
                assertEquals(a.name(), back.spec().arch());
                assertArrayEquals(before, logits(back));
            }
        }
        // a zoo network saved over it leaves no stale architecture behind
        try (Network zoo = prunedResnet20()) {
            NetworkStore.save(zoo, dir);
            assertFalse(Files.exists(dir.resolve(NetworkStore.ARCHITECTURE)));
        }
    }

    @Test
    void narrowerSpecRoundTripsAndSavingAgainDropsStaleMasks() throws IOException {
        ModelSpec dense = Architectures.get("resnet20").defaultSpec(10);
        Map<String, Integer> narrow = new LinkedHashMap<>();
        narrow.put("layer1.0.conv1", 5);
        narrow.put("layer2.2.conv1", 9);
        // The widths joined by stage 3's residual additions change together.
        narrow.put("layer3.0.conv2", 40);
        narrow.put("layer3.0.shortcut.conv", 40);
        narrow.put("layer3.1.conv2", 40);
        narrow.put("layer3.2.conv2", 40);
        ModelSpec spec = dense.withWidths(narrow);
        assertNotEquals(dense, spec);
        Path dir = tmp.resolve("narrow");
        // A masked network saved first into the same directory: its masks must not leak into the reload.
        try (Network masked = prunedResnet20()) {
            NetworkStore.save(masked, dir);
        }
        try (Network net = Network.builder().setSpec(spec).optSeed(5).build()) {
            randomizeRunningStats(net, 12);
            NetworkStore.save(net, dir);
            assertFalse(Files.exists(dir.resolve(NetworkStore.MASKS)));
            assertEquals(NetworkStore.serializedBytes(net), savedBytes(dir));
            try (Network back = NetworkStore.load(dir)) {
                assertEquals(spec, back.spec());
                assertEquals(40, back.spec().width("layer3.2.conv2"));
                assertArrayEquals(new long[] {10, 40}, back.infos().get("fc.weight").shape());
                assertTrue(back.masks().isEmpty());
                assertSameArrays(net.tensors(), back.tensors(), "tensor");
                assertArrayEquals(logits(net), logits(back));
            }
        }
    }

    @Test
    void missingFilesAreBadInputNamingTheFile() throws IOException {
        Path dir = tmp.resolve("missing");
        try (Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(10)).build()) {
            NetworkStore.save(net, dir);
        }
        Files.delete(dir.resolve(NetworkStore.TENSORS));
        assertBadInput(dir, NetworkStore.TENSORS);
        Path other = tmp.resolve("missing-spec");
        try (Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(10)).build()) {
            NetworkStore.save(net, other);
        }
        Files.delete(other.resolve(NetworkStore.SPEC));
        assertBadInput(other, NetworkStore.SPEC);
        assertBadInput(tmp.resolve("never-saved"), "never-saved");
    }

    @Test
    void corruptFilesAreBadInputNamingTheFile() throws IOException {
        Path dir = tmp.resolve("corrupt");
        try (Network net = Network.builder().setSpec(Architectures.get("resnet20").defaultSpec(10)).build()) {
            NetworkStore.save(net, dir);
        }
        Path tensors = dir.resolve(NetworkStore.TENSORS);
        byte[] good = Files.readAllBytes(tensors);

        Files.write(tensors, Arrays.copyOf(good, good.length / 2));
        assertBadInput(dir, NetworkStore.TENSORS);
        byte[] garbage = new byte[good.length];
        new SplittableRandom(1).nextBytes(garbage);
        Files.write(tensors, garbage);
        assertBadInput(dir, NetworkStore.TENSORS);
        Files.write(tensors, new byte[0]);
        assertBadInput(dir, NetworkStore.TENSORS);
        Files.write(tensors, good);

        Path spec = dir.resolve(NetworkStore.SPEC);
        String json = Files.readString(spec);
        Files.writeString(spec, json.substring(0, json.length() / 2));
        assertBadInput(dir, NetworkStore.SPEC);
        Files.writeString(spec, "[1, 2, 3]", StandardCharsets.UTF_8);
        assertBadInput(dir, NetworkStore.SPEC);
        Files.writeString(spec, json);
        NetworkStore.load(dir).close();
    }

    private static void assertBadInput(Path dir, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkStore.load(dir).close());
        assertTrue(e.getMessage().contains(fragment), () -> "message lacks '" + fragment + "': " + e.getMessage());
    }
}
