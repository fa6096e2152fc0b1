package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel spec that {@code reconvene kernel} writes, and its refusals. */
class KernelCommandTest {

    @Test
    void specStartsTheKernelWithTheNotebookClassPathOnTheJvmAndInTheCompiler(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("kernel.jar"), "not read here");
        String cp = "/x/classes" + File.pathSeparator + "/x/lib.jar";
        CliRun r = CliRun.of("kernel", "--dir", dir.resolve("kernels").toString(), "--kernel-jar", jar.toString(),
                "--classpath", cp, "--memory", "3g");
        assertEquals(0, r.exit(), r.err());
        Path spec = dir.resolve("kernels").resolve("reconvene-java").resolve("kernel.json");
        assertTrue(r.out().contains(spec.toString()), r.out());
        JsonObject k = JsonParser.parseString(Files.readString(spec)).getAsJsonObject();
        List<String> argv = new ArrayList<>();
        k.getAsJsonArray("argv").forEach(e -> argv.add(e.getAsString()));
        assertTrue(argv.get(0).endsWith("/bin/java"), argv.get(0));
        assertTrue(argv.contains("-Xmx3g"), argv.toString());
        assertTrue(argv.contains("-Dai.djl.offline=true"), "no download at run time: " + argv);
        int cpAt = argv.indexOf("-cp");
        assertEquals(jar + File.pathSeparator + cp, argv.get(cpAt + 1));
        assertEquals(List.of(KernelCommand.MAIN_CLASS, "{connection_file}"), argv.subList(cpAt + 2, argv.size()));
        assertEquals("/x/classes;/x/lib.jar", k.getAsJsonObject("env").get("RJK_CLASSPATH").getAsString());
        assertEquals("java", k.get("language").getAsString());
    }

    @Test
    void carriesModuleOpeningsAndEngineSettingsButNotAgentsOrHeap() {
        List<String> flags = ChildJvmFlags.of(List.of("-Xmx8g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dai.djl.pytorch.num_threads=2", "-javaagent:/a.jar", "-Duser.dir=/tmp",
                "-Djdk.reflect.useDirectMethodHandle=false"));
        assertEquals(List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dai.djl.pytorch.num_threads=2",
                "-Djdk.reflect.useDirectMethodHandle=false", "-Dai.djl.offline=true", "-Djava.awt.headless=true"), flags);
    }

    @Test
    void missingJarAndBadValuesAreBadInputNamingTheValue(@TempDir Path dir) throws Exception {
        CliRun missing = CliRun.of("kernel", "--dir", dir.toString(), "--kernel-jar", dir.resolve("nope.jar").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("nope.jar"), missing.err());
        Path jar = Files.writeString(dir.resolve("k.jar"), "");
        CliRun name = CliRun.of("kernel", "--dir", dir.toString(), "--kernel-jar", jar.toString(), "--name", "a b");
        assertEquals(2, name.exit());
        assertTrue(name.err().contains("'a b'"), name.err());
        CliRun memory = CliRun.of("kernel", "--dir", dir.toString(), "--kernel-jar", jar.toString(), "--memory", "lots");
        assertEquals(2, memory.exit());
        assertTrue(memory.err().contains("'lots'"), memory.err());
        assertFalse(Files.exists(dir.resolve("a b")));
    }
}
