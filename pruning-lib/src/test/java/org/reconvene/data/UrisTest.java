package org.reconvene.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The canonical form of stored and hashed locations: a function of the string, never of the disk. */
class UrisTest {

    @Test
    void aDirectoryHasTheSameFormBeforeAndAfterItExists(@TempDir Path base) throws Exception {
        String before = Uris.canonical("data/quickstart", base);
        Files.createDirectories(base.resolve("data/quickstart"));
        String after = Uris.canonical("data/quickstart", base);
        assertEquals(before, after);
        assertEquals(base.resolve("data/quickstart").toUri().toString().replaceAll("/$", ""), after);
        // Every spelling of that directory is one location.
        for (String spelling : new String[] {"data/quickstart/", "./data//quickstart", "data/x/../quickstart",
                base.resolve("data/quickstart") + "/", "file:" + base.resolve("data/quickstart"),
                "file://" + base.resolve("data/quickstart") + "/", "FILE:" + base.resolve("data/quickstart")}) {
            assertEquals(after, Uris.canonical(spelling, base), spelling);
        }
    }

    @Test
    void otherSchemesKeepTheirAuthorityAndLoseTrailingSlashes() {
        Path base = Path.of("/ignored");
        assertEquals("hdfs://namenode:8020/a/b", Uris.canonical("HDFS://NameNode:8020/a//b/./", base));
        assertEquals("s3a://bucket/x/y", Uris.canonical("s3a://bucket/x/z/../y/", base));
        assertEquals("hdfs://nn/", Uris.canonical("hdfs://nn/", base));
        assertEquals("hdfs://nn/", Uris.canonical("hdfs://nn", base));
        assertEquals("file:///", Uris.canonical("/", base));
    }

    @Test
    void charactersIllegalInUrisAreEncodedOnce(@TempDir Path base) {
        String u = Uris.canonical("my data/100%", base);
        assertEquals(base.resolve("my data/100%").toUri().toString(), u);
        assertEquals(u, Uris.canonical(u, base), "canonical of canonical is itself");
    }

    @Test
    void blankAndMalformedAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Uris.canonical(" "));
        assertThrows(IllegalArgumentException.class, () -> Uris.canonical("hdfs://nn/a b"));
    }

    @Test
    void theDataLoaderResolvesToTheSameLocation(@TempDir Path base) throws Exception {
        Path dir = Files.createDirectories(base.resolve("d"));
        HadoopFiles.Location loc = HadoopFiles.resolve(dir + "/", null);
        java.net.URI canonical = java.net.URI.create(Uris.canonical(dir.toString()));
        assertEquals(canonical.getScheme(), loc.path().toUri().getScheme());
        assertEquals(canonical.getPath(), loc.path().toUri().getPath());
    }
}
