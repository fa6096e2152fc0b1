package org.reconvene.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state an {@link SgdOptimizer} carries between steps, and the epoch the run reached: what a
 * checkpoint needs besides the network so that training continued from it takes the very steps
 * an uninterrupted run would have taken.
 *
 * <p>The momentum buffers are kept exactly as the optimizer holds them, scaled by
 * {@code bufferScale}, so restoring them involves no arithmetic and no rounding.
 */
public record OptimizerState(int epochsDone, double bufferScale, Map<String, float[]> buffers) {

    private static final int MAGIC = 0x52435653; // "RCVS"

    /** Validates and copies. */
    public OptimizerState {
        if (epochsDone < 0) {
            throw new IllegalArgumentException("epochsDone must not be negative, got " + epochsDone);
        }
        buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    }

    /** Before the first step. */
    public static OptimizerState initial() {
        return new OptimizerState(0, 1, Map.of());
    }

    /** Writes the state to {@code file}. */
    public void write(Path file) {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeInt(epochsDone);
            out.writeDouble(bufferScale);
            out.writeInt(buffers.size());
            for (Map.Entry<String, float[]> e : buffers.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                for (float v : e.getValue()) {
                    out.writeFloat(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads a state written by {@link #write}; a damaged file is bad input naming it. */
    public static OptimizerState read(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException(file + " is not an optimizer state");
            }
            int epochs = in.readInt();
            double scale = in.readDouble();
            int n = in.readInt();
            Map<String, float[]> b = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int len = in.readInt();
                if (len < 0 || len > 1 << 28) {
                    throw new IllegalArgumentException(file + ": buffer " + name + " has length " + len);
                }
                float[] v = new float[len];
                for (int k = 0; k < len; k++) {
                    v[k] = in.readFloat();
                }
                b.put(name, v);
            }
            return new OptimizerState(epochs, scale, b);
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated optimizer state " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read optimizer state " + file + ": " + e.getMessage());
        }
    }
}
