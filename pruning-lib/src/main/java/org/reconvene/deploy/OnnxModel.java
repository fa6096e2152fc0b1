package org.reconvene.deploy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * An exported ONNX model: its serialized bytes, which are what a device ships, with the sizes
 * the platform reports ({@link #bytes()}, {@link #gzipBytes()}) and its metadata properties.
 */
public final class OnnxModel {

    private final byte[] bytes;

    OnnxModel(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The file's bytes (a copy). */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Size of the file: the {@code onnx_bytes} metric. */
    public long bytes() {
        return bytes.length;
    }

    /**
     * Size of the file gzipped at the highest level: the {@code onnx_gzip_bytes} metric. The
     * zeros of an unstructured mask compress; an honest size comparison reports both.
     */
    public long gzipBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
                {
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            }) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }

    /** The model's metadata properties, in file order. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto().getMetadataPropsList()) {
            m.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(m);
    }

    /** The parsed model. */
    public ModelProto proto() {
        try {
            return ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an exported model does not parse", e);
        }
    }

    /** Writes the file, creating parent directories; replaces an existing file. */
    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Reads an ONNX file.
     *
     * @throws IllegalArgumentException naming the file when it is missing, unreadable or not an ONNX model
     */
    public static OnnxModel read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no ONNX file " + file);
        }
        try {
            byte[] b = Files.readAllBytes(file);
            ModelProto p = ModelProto.parseFrom(b);
            if (!p.hasGraph()) {
                throw new IllegalArgumentException(file + " is not an ONNX model: it has no graph");
            }
            return new OnnxModel(b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(file + " is not an ONNX model: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
