package org.reconvene.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The ONNX networks written in PyTorch by {@code src/test/resources/onnx/make_fixtures.py}, with the
 * parameter and MAC counts PyTorch gives for them ({@code counts.json}).
 */
public final class OnnxFixtures {

    /** Every fixture with BatchNorm kept (exported in train mode). */
    public static final List<String> NETWORKS = List.of("resnet20", "mobilenetv2", "dwresnet");

    private OnnxFixtures() {}

    /** The fixture's bytes, unzipped. */
    public static byte[] bytes(String name) {
        try (InputStream in = OnnxFixtures.class.getResourceAsStream("/onnx/" + name + ".onnx.gz")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new GZIPInputStream(in).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture as a file under target/, for code that takes a path or URI. */
    public static Path file(String name) {
        try {
            Path dir = Path.of("target", "onnx-fixtures");
            Files.createDirectories(dir);
            Path f = dir.resolve(name + ".onnx");
            byte[] b = bytes(name);
            if (!Files.isRegularFile(f) || !java.util.Arrays.equals(Files.readAllBytes(f), b)) {
                Path tmp = Files.createTempFile(dir, name, ".part");
                Files.write(tmp, b);
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return f.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PyTorch's counts for a fixture: {@code params}, {@code macs}, {@code opset}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> counts(String name) {
        try (InputStream in = OnnxFixtures.class.getResourceAsStream("/onnx/counts.json")) {
            Map<String, Object> all = new com.google.gson.Gson().fromJson(new String(in.readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8), Map.class);
            return (Map<String, Object>) all.get(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
