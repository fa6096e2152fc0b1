package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.data.SyntheticImageGenerator;
import org.reconvene.sweep.ChildSweep;

/**
 * Hostile and broken dataset files, loaded by {@code train} in a JVM of 1 GiB: each is refused with
 * exit 2 naming the file within seconds, before anything large is allocated or decoded.
 */
class HostileFilesTest {

    /** Exit code and stderr of {@code train} on {@code data}, which must end within {@code seconds}. */
    private static String refused(Path dir, Path data, String model, String dataset, String expectedInError)
            throws Exception {
        List<String> args = dataset == null
                ? List.of("train", "--model", model, "--data", data.toString(), "--out", dir.resolve("out").toString())
                : List.of("train", "--model", model, "--data", data.toString(), "--dataset", dataset, "--out",
                        dir.resolve("out").toString());
        long t0 = System.nanoTime();
        try (ChildSweep child = ChildSweep.cli(dir, args, "-Xmx1g")) {
            int code = child.exitCode(60);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String err = child.err();
            assertEquals(ReconveneCli.EXIT_BAD_INPUT, code, err);
            assertTrue(err.contains(expectedInError), err);
            assertTrue(seconds < 10, "refused after " + seconds + " s");
            assertTrue(!err.contains("OutOfMemoryError") && !err.contains("NegativeArraySize")
                    && !err.contains("ArrayIndexOutOfBounds"), err);
            assertTrue(!Files.exists(dir.resolve("out")), "nothing written");
            return err;
        }
    }

    /** The four IDX files, the image header declaring {@code n} 28x28 images over 10 KB of pixels, gzipped. */
    private static Path idx(Path dir, int n) throws IOException {
        Path root = Files.createDirectories(dir.resolve("idx-" + n));
        for (String split : List.of("train", "t10k")) {
            try (DataOutputStream out = gz(root.resolve(split + "-labels-idx1-ubyte.gz"))) {
                out.writeInt(0x0801);
                out.writeInt(n);
                byte[] zeros = new byte[1 << 20];
                for (long left = n; left > 0; left -= zeros.length) {
                    out.write(zeros, 0, (int) Math.min(zeros.length, left));
                }
            }
            try (DataOutputStream out = gz(root.resolve(split + "-images-idx3-ubyte.gz"))) {
                out.writeInt(0x0803);
                out.writeInt(n);
                out.writeInt(28);
                out.writeInt(28);
                byte[] noise = new byte[10_000];
                new Random(1).nextBytes(noise);
                out.write(noise);
            }
        }
        return root;
    }

    private static DataOutputStream gz(Path p) throws IOException {
        OutputStream raw = Files.newOutputStream(p);
        return new DataOutputStream(new GZIPOutputStream(raw));
    }

    @Test
    void idxHeadersDeclaringMoreImagesThanTheFileHoldsAreRefusedBeforeAllocating(@TempDir Path dir) throws Exception {
        for (int n : new int[] {1 << 21, 1 << 22, 10_000_000}) {
            Path root = idx(dir, n);
            assertTrue(Files.size(root.resolve("train-images-idx3-ubyte.gz")) < 12_000);
            String err = refused(dir, root, "resnet20", "fashion-mnist", root.resolve("train-images-idx3-ubyte.gz")
                    .toString());
            assertTrue(err.contains("declares " + (long) n * 784), err);
        }
    }

    /** A tiny Tiny ImageNet layout from the generator (2 classes, 64x64 JPEGs). */
    private static Path tiny(Path dir) {
        Path root = dir.resolve("tiny");
        SyntheticImageGenerator.builder().setOutput(root.toUri().toString()).optClasses(2).optImageSize(64)
                .optTrainSize(8).optTestSize(4).optSeed(1).build().generate();
        return root;
    }

    private static Path firstTrainImage(Path root, int cls) throws IOException {
        List<String> wnids = Files.readAllLines(root.resolve("wnids.txt"));
        try (var files = Files.list(root.resolve("train").resolve(wnids.get(cls).strip()).resolve("images"))) {
            return files.sorted().findFirst().orElseThrow();
        }
    }

    /** A few KB of JPEG whose header claims 26000x26000: refused from its header, never decoded. */
    @Test
    void anImageWhoseHeaderClaimsAHugeSizeIsRefusedBeforeDecoding(@TempDir Path dir) throws Exception {
        Path root = tiny(dir);
        Path jpeg = firstTrainImage(root, 0);
        byte[] b = Files.readAllBytes(jpeg);
        boolean patched = false;
        for (int i = 0; i + 8 < b.length; i++) {
            // SOF0 or SOF2: FF C0/C2, length (2), precision (1), height (2), width (2)
            if ((b[i] & 0xff) == 0xff && ((b[i + 1] & 0xff) == 0xc0 || (b[i + 1] & 0xff) == 0xc2)) {
                b[i + 5] = (byte) (26000 >> 8);
                b[i + 6] = (byte) 26000;
                b[i + 7] = (byte) (26000 >> 8);
                b[i + 8] = (byte) 26000;
                patched = true;
                break;
            }
        }
        assertTrue(patched, "a JPEG frame header");
        Files.write(jpeg, b);
        String err = refused(dir, root, "resnet18", null, jpeg.getFileName().toString());
        assertTrue(err.contains("26000x26000"), err);
    }

    @Test
    void aClassWithoutTrainingImagesIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path root = tiny(dir);
        Path images = firstTrainImage(root, 1).getParent();
        try (var files = Files.list(images)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        String wnid = images.getParent().getFileName().toString();
        String err = refused(dir, root, "resnet18", null, "class " + wnid);
        assertTrue(err.contains("no training images"), err);
    }
}
