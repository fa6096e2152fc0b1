package org.reconvene.data;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a model file (an ONNX architecture) from any Hadoop URI, as the data is read: a local
 * path, {@code file:}, {@code hdfs:}, {@code s3a:}. The size is checked before anything is
 * allocated, so a wrong path to a huge file fails fast.
 */
public final class ModelFiles {

    /** The largest model file read: protobuf's own 2 GiB limit is far above any architecture. */
    public static final long MAX_BYTES = 1L << 30;

    private ModelFiles() {}

    /**
     * The whole content of {@code uri}.
     *
     * @throws IllegalArgumentException naming the file if it is missing, a directory, or larger than
     *     {@link #MAX_BYTES}
     */
    public static byte[] read(String uri) {
        HadoopFiles.Location loc = HadoopFiles.resolve(uri, new Configuration());
        long length = HadoopFiles.requireFileLength(loc.fs(), loc.path());
        if (length > MAX_BYTES) {
            throw new IllegalArgumentException("model file " + loc.uri() + " has " + length + " bytes, more than the "
                    + MAX_BYTES + " a model file may have");
        }
        byte[] bytes = new byte[(int) length];
        try (InputStream in = HadoopFiles.open(loc.fs(), loc.path())) {
            int n = in.readNBytes(bytes, 0, bytes.length);
            if (n != length || in.read() != -1) {
                throw new IllegalArgumentException("model file " + loc.uri() + " changed while it was read");
            }
            return bytes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read model file " + loc.uri() + ": " + e.getMessage(), e);
        }
    }
}
