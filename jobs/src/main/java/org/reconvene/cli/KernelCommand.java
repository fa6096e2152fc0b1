package org.reconvene.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Installs the Jupyter kernel the notebooks run on: a Java (JShell) kernel from Maven Central
 * that starts with Reconvene, Spark and DJL on its class path and the JVM flags they need.
 *
 * <p>The kernel spec is a {@code kernel.json} naming a Java command line. By default it reuses
 * this JVM's class path and flags, so a kernel installed through {@code bin/reconvene kernel}
 * runs the same code as {@code bin/reconvene} does. Rebuilding the project changes the classes
 * the kernel loads at its next start; installing again is needed only when the checkout moves.
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = {"Install the Java Jupyter kernel (\"reconvene-java\") that the notebooks in notebooks/ use.",
                "Then: jupyter notebook notebooks/   or   jupyter nbconvert --to notebook --execute NOTEBOOK"})
final class KernelCommand implements Callable<Integer> {

    /** The kernel's main class, in the kernel jar. */
    static final String MAIN_CLASS = "org.rapaio.jupyter.kernel.MainApp";

    @Option(names = "--dir", description = "Kernels directory (default: $JUPYTER_DATA_DIR/kernels, else this "
            + "checkout's .jupyter/kernels, so that two checkouts never replace each other's kernel).")
    Path dir;

    @Option(names = "--user", description = "Install for the user instead (~/.local/share/jupyter/kernels): one "
            + "kernel of this name for every checkout.")
    boolean user;

    @Option(names = "--name", defaultValue = "reconvene-java", description = "Kernel name (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--kernel-jar", description = "The kernel jar (default: jobs/target/kernel/"
            + "rapaio-jupyter-kernel.jar, copied there by mvn package).")
    Path kernelJar;

    @Option(names = "--classpath", description = "Class path of the notebooks' code (default: this JVM's).")
    String classpath;

    @Option(names = "--memory", defaultValue = "4g", description = "Kernel heap, as -Xmx (default ${DEFAULT-VALUE}).")
    String memory;

    @Override
    public Integer call() throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (!memory.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--memory must be a size such as 4g, got '" + memory + "'");
        }
        Path jar = (kernelJar != null ? kernelJar : defaultKernelJar()).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no Jupyter kernel jar at " + jar
                    + " (mvn package copies it to jobs/target/kernel; or pass --kernel-jar)");
        }
        String cp = classpath != null ? classpath : System.getProperty("java.class.path");
        Path kernels = dir != null ? dir : user ? userKernelsDir() : defaultKernelsDir();
        Path target = kernels.resolve(name);
        Path spec = target.resolve("kernel.json");
        Json.write(spec, spec(jar, cp));
        System.out.println("installed Jupyter kernel '" + name + "' at " + spec);
        if (dir == null && !user && System.getenv("JUPYTER_DATA_DIR") == null) {
            System.out.println("Jupyter finds it with JUPYTER_PATH=" + kernels.getParent().toAbsolutePath()
                    + " (e.g. JUPYTER_PATH=" + kernels.getParent().toAbsolutePath() + " jupyter notebook notebooks/)");
        }
        return 0;
    }

    /**
     * The kernel spec. The notebooks' class path goes on the JVM's own class path, not only into
     * the kernel's snippet class loader: Spark compiles generated code against the class loader
     * it was loaded from, and a child loader leaves it unable to see its own classes.
     */
    Map<String, Object> spec(Path jar, String cp) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.add("-Xmx" + memory);
        argv.addAll(ChildJvmFlags.of(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        argv.add("-cp");
        argv.add(jar + File.pathSeparator + cp);
        argv.add(MAIN_CLASS);
        argv.add("{connection_file}");
        Map<String, String> env = new LinkedHashMap<>();
        // The kernel's compiler reads its class path from here, ';'-separated.
        env.put("RJK_CLASSPATH", String.join(";", cp.split(File.pathSeparator)));
        String djlCache = System.getenv("DJL_CACHE_DIR");
        if (djlCache != null) {
            env.put("DJL_CACHE_DIR", djlCache);
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", "Java (Reconvene)");
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", env);
        return spec;
    }

    private static Path defaultKernelJar() {
        try {
            Path code = Path.of(KernelCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/classes or target/<name>.jar: either way the kernel jar is in target/kernel
            return code.getParent().resolve("kernel").resolve("rapaio-jupyter-kernel.jar");
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("jobs", "target", "kernel", "rapaio-jupyter-kernel.jar");
        }
    }

    /** $JUPYTER_DATA_DIR/kernels, else this checkout's .jupyter/kernels (found from this code's location). */
    private static Path defaultKernelsDir() {
        String data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Path.of(data, "kernels");
        }
        return checkoutRoot().resolve(".jupyter").resolve("kernels");
    }

    private static Path userKernelsDir() {
        return Path.of(System.getProperty("user.home"), ".local", "share", "jupyter", "kernels");
    }

    /** The checkout this code runs from (jobs/target/classes or jobs/target/*.jar is three levels below), else the working directory. */
    private static Path checkoutRoot() {
        try {
            Path code = Path.of(KernelCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = code.getParent().getParent().getParent();
            if (Files.isRegularFile(root.resolve("pom.xml"))) {
                return root;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // below
        }
        return Path.of("").toAbsolutePath();
    }
}
