package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `datagen --difficulty`: passed through to the generator, validated with exit code 2. */
class DatagenDifficultyCliTest {

    @TempDir
    Path tmp;

    private static CliRun datagen(Path out, String... extra) {
        String[] base = {"datagen", "--out", out.toString(), "--classes", "3", "--train", "30", "--test", "6",
                "--seed", "2"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void difficultyReachesTheGeneratorAndZeroIsTheDefault() throws Exception {
        assertEquals(0, datagen(tmp.resolve("plain")).exit());
        assertEquals(0, datagen(tmp.resolve("zero"), "--difficulty", "0").exit());
        CliRun hard = datagen(tmp.resolve("hard"), "--difficulty", "1");
        assertEquals(0, hard.exit(), hard.err());
        assertTrue(hard.out().contains("(3 training labels flipped)"), hard.out());
        byte[] plain = Files.readAllBytes(tmp.resolve("plain/test_batch.bin"));
        assertArrayEquals(plain, Files.readAllBytes(tmp.resolve("zero/test_batch.bin")));
        assertFalse(java.util.Arrays.equals(plain, Files.readAllBytes(tmp.resolve("hard/test_batch.bin"))));
    }

    @Test
    void outOfRangeDifficultyExitsWithTwoNamingTheOption() {
        for (String bad : new String[] {"-0.5", "1.5", "NaN"}) {
            CliRun r = datagen(tmp.resolve("bad"), "--difficulty", bad);
            assertEquals(2, r.exit(), bad);
            assertTrue(r.err().contains("--difficulty"), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("bad")), "nothing is written for a bad value");
        assertEquals(2, datagen(tmp.resolve("bad"), "--difficulty", "hard").exit());
    }
}
