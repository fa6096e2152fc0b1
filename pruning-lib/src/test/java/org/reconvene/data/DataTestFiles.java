package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the data tests: generating fixtures, snapshotting directories, checking messages. */
final class DataTestFiles {

    private DataTestFiles() {
    }

    static SyntheticImageGenerator.Result generate(Path dir, int classes, int train, int test, int size, long seed) {
        return SyntheticImageGenerator.builder()
                .setOutput(dir.toString())
                .optClasses(classes)
                .optTrainSize(train)
                .optTestSize(test)
                .optImageSize(size)
                .optSeed(seed)
                .build()
                .generate();
    }

    /** Relative path to content of every regular file under {@code root}. */
    static Map<String, byte[]> snapshot(Path root) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Asserts that {@code body} fails with bad input and that the message contains every fragment. */
    static IllegalArgumentException assertBadInput(Executable body, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
        return e;
    }

    /** A CIFAR-100 style record: coarse label, fine label, then 3072 pixel bytes derived from {@code fill}. */
    static byte[] cifar100Record(int coarse, int fine, int fill) {
        byte[] r = new byte[2 + 3072];
        r[0] = (byte) coarse;
        r[1] = (byte) fine;
        for (int i = 0; i < 3072; i++) {
            r[2 + i] = (byte) (fill + i);
        }
        return r;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
