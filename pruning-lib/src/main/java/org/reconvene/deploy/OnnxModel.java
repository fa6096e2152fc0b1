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

    /**
     * Writes the file, creating parent directories; replaces an existing file. The bytes go to a
     * hidden {@code .NAME.*.part} beside it first and are moved into place by one atomic rename, so
     * a reader finds the old file or the new one; a failed write deletes its part, and a part a
     * killed writer left is deleted by the next write to the same file.
     *
     * @throws IllegalArgumentException naming the file when it cannot be written there (a
     *     directory, a read-only or full file system)
     */
    public void write(Path file) {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException(file + " is a directory, not a file to write");
        }
        Path parent = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            String prefix = "." + target.getFileName() + ".";
            try (var stale = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".part"))) {
                for (Path p : stale) {
                    Files.deleteIfExists(p);
                }
            }
            tmp = Files.createTempFile(parent, prefix, ".part");
            Files.write(tmp, bytes);
            // a temporary file is private (0600); the model is an ordinary output, readable like the others
            if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the next write to this file deletes it
                }
            }
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
