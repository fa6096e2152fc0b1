package org.reconvene.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes arrays as NumPy {@code .npz} archives, so pruning can be inspected from Python with
 * {@code numpy.load}. Each array is stored under its key (for weights, the parameter name such as
 * {@code layer1.0.conv1.weight}), in the order given, as little-endian float32 or int32.
 */
public final class NpzExport {

    private NpzExport() {}

    /** Writes float arrays with the given shapes under their keys. */
    public static void writeFloats(Path file, Map<String, float[]> arrays, Map<String, long[]> shapes) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = new NDList();
            for (Map.Entry<String, float[]> e : arrays.entrySet()) {
                NDArray a = m.create(e.getValue(), new Shape(shapes.get(e.getKey())));
                a.setName(e.getKey());
                list.add(a);
            }
            write(file, list);
        }
    }

    /** Writes the given arrays (named by their keys) into {@code file}. */
    public static void write(Path file, Map<String, NDArray> arrays) {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            e.getValue().setName(e.getKey());
            list.add(e.getValue());
        }
        write(file, list);
    }

    private static void write(Path file, NDList list) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
                list.encode(os, NDList.Encoding.NPZ);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
