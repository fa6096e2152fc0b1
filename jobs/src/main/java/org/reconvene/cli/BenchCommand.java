package org.reconvene.cli;

import org.reconvene.data.FileTrees;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.reconvene.bench.ConvPathBenchmark;
import org.reconvene.bench.MachinePeak;
import org.reconvene.bench.PruneBenchmark;
import org.reconvene.bench.SweepThroughput;
import org.reconvene.bench.TrainBenchmark;
import org.reconvene.engine.Engines;
import org.reconvene.model.Architectures;
import org.reconvene.score.SynFlowTiming;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmarks behind docs/PERFORMANCE.md. Each prints a Markdown table whose figures are
 * ratios or rates taken within one run, so they compare on a shared, noisy machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: training step against PyTorch eager or across convolution paths (train), pruning "
                    + "time and inference latency (prune), scorers against their references and PyTorch (scorers), "
                    + "ONNX sizes and ONNX Runtime latency (deploy), a search against its full grid (search), sweep "
                    + "throughput on a standalone cluster (sweep), the machine's float32 peak (peak). Figures and "
                    + "commands: docs/PERFORMANCE.md, DEPLOY.md, SEARCH.md.")
final class BenchCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required: train, prune, scorers, deploy, search, sweep or peak");
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training step time at a batch against PyTorch eager (bench/torch_train_step.py) on the "
                    + "same architecture, optimizer and threads, alternating blocks in one run; and the achieved "
                    + "GFLOP/s against the measured sgemm peak.")
    int train(
            @Option(names = "--models", split = ",", defaultValue = "vgg16,resnet20",
                    description = "Models (default ${DEFAULT-VALUE}).") List<String> models,
            @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
                    int batch,
            @Option(names = "--threads", defaultValue = "0",
                    description = "PyTorch threads on both sides; 0 = all cores (default ${DEFAULT-VALUE}).")
                    int threads,
            @Option(names = "--steps", defaultValue = "10", description = "Steps per block (default ${DEFAULT-VALUE}).")
                    int steps,
            @Option(names = "--rounds", defaultValue = "3",
                    description = "Alternating blocks per side (default ${DEFAULT-VALUE}).") int rounds,
            @Option(names = "--python", defaultValue = "/usr/bin/python3",
                    description = "Python with torch (default ${DEFAULT-VALUE}, Debian's python3-torch).")
                    String python,
            @Option(names = "--script", defaultValue = "bench/torch_train_step.py",
                    description = "The PyTorch reference (default ${DEFAULT-VALUE}).") Path script,
            @Option(names = "--paths",
                    description = "Instead of PyTorch, compare the two convolution paths (the engine's default kernels "
                            + "and the padded fallback of the kernel check) on each model pruned by each of --methods.")
                    boolean paths,
            @Option(names = "--methods", split = ",", defaultValue = "dense,reconvene",
                    description = "With --paths: the pruning methods (SynFlow scores, seed 0; default ${DEFAULT-VALUE}).")
                    List<String> methods,
            @Option(names = "--sparsity", defaultValue = "0.98",
                    description = "With --paths: the sparsity (default ${DEFAULT-VALUE}).") double sparsity) {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (batch < 1 || steps < 1 || rounds < 1) {
            throw new IllegalArgumentException("--batch, --steps and --rounds must be >= 1");
        }
        if (paths) {
            requireModels(models);
            requireSparsity(sparsity);
            methods.forEach(org.reconvene.prune.PruningMethod::parse);
            return trainPaths(models, methods, sparsity, batch, t, steps, rounds);
        }
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("no PyTorch reference script at " + script);
        }
        requireModels(models);
        MachinePeak.Result peak = MachinePeak.measure(t, 2048);
        System.out.printf(Locale.ROOT, "threads %d; sgemm peak %.1f GFLOP/s (nominal %.1f)%n%n", t, peak.sgemm(),
                peak.nominal());
        System.out.println("| model | batch | threads | ms/step | PyTorch ms/step | ratio | GFLOP/s | of sgemm peak |"
                + " forward / backward / update ms | PyTorch's | PyTorch |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (String m : models) {
            TrainBenchmark.Result r = TrainBenchmark.run(m, batch, t, steps, rounds, python, script);
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.3f | %.1f | %.0f %% | %s | %s | %s |%n",
                    r.model(), r.batch(), r.threads(), r.ms(), r.torchMs(), r.ratio(), r.gflops(),
                    100 * r.gflops() / peak.sgemm(), phases(r.phases()), phases(r.torchPhases()), r.torchVersion());
        }
        return 0;
    }

    private static int trainPaths(List<String> models, List<String> methods, double sparsity, int batch, int threads,
            int steps, int rounds) {
        System.out.printf(Locale.ROOT, "threads %d; kernel check: %s%n%n", threads, Engines.kernels().summary());
        System.out.println("| model | method | sparsity | conv widths | batch | default ms/step | padded ms/step "
                + "| padded / default | default b1 ms | padded b1 ms | padded / default |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (String m : models) {
            for (String method : methods) {
                ConvPathBenchmark.Result r = ConvPathBenchmark.run(m, method, sparsity, batch, threads, steps, rounds);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |%n",
                        r.model(), r.method(), method.equals("dense") ? "-" : String.valueOf(r.sparsity()),
                        widthSummary(r.widths()), r.batch(), r.defaultStepMs(), r.paddedStepMs(), r.stepRatio(),
                        r.defaultB1Ms(), r.paddedB1Ms(), r.latencyRatio());
            }
        }
        return 0;
    }

    /** The distinct widths, in order of first appearance: enough to see how narrow a network is. */
    private static String widthSummary(List<Integer> widths) {
        return widths.stream().distinct().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
    }

    // Each benchmark checks its arguments before it measures anything: a wrong name fails in a
    // second, not after minutes of timing the others.

    private static void requireSparsity(double sparsity) {
        if (!(sparsity > 0 && sparsity < 1)) {
            throw new IllegalArgumentException("--sparsity must be in (0, 1), got " + sparsity);
        }
    }

    /** Fails on the first unknown model name, naming it. */
    private static void requireModels(List<String> models) {
        models.forEach(Architectures::get);
    }

    /** Fails on the first unknown scorer name, naming it. */
    private static void requireScorers(List<String> scorers) {
        scorers.forEach(org.reconvene.score.Scorers::get);
    }

    private static String phases(double[] p) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", p[0], p[1], p[2]);
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "prune_ms per scorer and method, and the batch-1 and batch-64 latency of the dense, upai, "
                    + "Reconvene and BatchNorm-folded Reconvene networks, measured in alternating runs.")
    int prune(
            @Option(names = "--models", split = ",", defaultValue = "vgg16,resnet20,resnet18",
                    description = "Models (default ${DEFAULT-VALUE}).") List<String> models,
            @Option(names = "--scorers", split = ",", defaultValue = "random,magnitude,snip,grasp,synflow",
                    description = "Scorers (default ${DEFAULT-VALUE}).") List<String> scorers,
            @Option(names = "--sparsity", defaultValue = "0.9", description = "Sparsity (default ${DEFAULT-VALUE}).")
                    double sparsity,
            @Option(names = "--latency-runs", defaultValue = "20",
                    description = "Timed runs per network at batch 1 (default ${DEFAULT-VALUE}).") int latencyRuns)
            throws java.io.IOException {
        requireSparsity(sparsity);
        requireModels(models);
        requireScorers(scorers);
        Path scratch = Files.createTempDirectory("reconvene-bench-");
        List<PruneBenchmark.Row> rows = new java.util.ArrayList<>();
        System.out.println("| model | method | scorer | sparsity | prune ms |");
        System.out.println("| --- | --- | --- | --- | --- |");
        try {
            for (String m : models) {
                rows.addAll(PruneBenchmark.run(m, sparsity, scorers, latencyRuns, scratch,
                        r -> System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %d |%n", r.model(), r.method(),
                                r.scorer() == null ? "" : r.scorer(), r.sparsity(), r.pruneMs())));
            }
        } finally {
            FileTrees.delete(scratch);
        }
        System.out.println();
        System.out.println("| model | scorer | batch | dense ms | upai ms | reconvene ms | folded ms | upai / reconvene"
                + " | dense / reconvene | reconvene / folded |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (PruneBenchmark.Row r : rows) {
            if (r.latencyB1() == null) {
                continue;
            }
            for (int batch : new int[] {1, 64}) {
                double[] l = batch == 1 ? r.latencyB1() : r.latencyB64();
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f |%n",
                        r.model(), r.scorer(), batch, l[0], l[1], l[2], l[3], l[1] / l[2], l[0] / l[2], l[2] / l[3]);
            }
        }
        return 0;
    }

    @Command(name = "scorers", mixinStandardHelpOptions = true,
            description = "prune_ms of each scorer on a fresh network; for SynFlow, the fast implementation against "
                    + "the direct one (masks checked bit for bit) and against SynFlow in PyTorch eager "
                    + "(bench/torch_synflow.py), in one run.")
    int scorers(
            @Option(names = "--models", split = ",", defaultValue = "vgg16,resnet20,resnet18",
                    description = "Models (default ${DEFAULT-VALUE}).") List<String> models,
            @Option(names = "--scorers", split = ",", defaultValue = "random,magnitude,snip,grasp,synflow",
                    description = "Scorers (default ${DEFAULT-VALUE}).") List<String> scorers,
            @Option(names = "--sparsity", defaultValue = "0.98", description = "Sparsity (default ${DEFAULT-VALUE}).")
                    double sparsity,
            @Option(names = "--repeats", defaultValue = "2",
                    description = "Runs per implementation, alternating; the fastest counts (default ${DEFAULT-VALUE}).")
                    int repeats,
            @Option(names = "--python", defaultValue = "/usr/bin/python3",
                    description = "Python with torch (default ${DEFAULT-VALUE}, Debian's python3-torch).")
                    String python,
            @Option(names = "--script", defaultValue = "bench/torch_synflow.py",
                    description = "The PyTorch SynFlow (default ${DEFAULT-VALUE}).") Path script)
            throws java.io.IOException {
        requireSparsity(sparsity);
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
        }
        if (scorers.contains("synflow") && !Files.isRegularFile(script)) {
            throw new IllegalArgumentException("no PyTorch SynFlow script at " + script);
        }
        requireModels(models);
        requireScorers(scorers);
        System.out.printf(Locale.ROOT, "threads %d, sparsity %.2f, fastest of %d%n%n", Engines.threads(), sparsity,
                repeats);
        System.out.println("| model | scorer | weights | before ms | after ms | before / after | selection share before"
                + " | after | PyTorch ms | after / PyTorch |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        Path scratch = Files.createTempDirectory("reconvene-bench-");
        List<String> phases = new ArrayList<>();
        try {
            for (String m : models) {
                org.reconvene.bench.ScorerBenchmark.run(m, sparsity, scorers, repeats, python, script, scratch, r -> {
                    if (r.afterPhases() != null) {
                        SynFlowTiming t = r.afterPhases();
                        phases.add(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %,d | %,d | %,d |", r.model(),
                                t.rounds(), t.passMs(), t.scoreMs(), t.selectMs(), t.applyMs(), r.torchFlowMs()));
                    }
                    if (r.beforeMs() < 0) {
                        System.out.printf(Locale.ROOT, "| %s | %s | %,d | (one implementation) | %,d | | | | | |%n",
                                r.model(), r.scorer(), r.weights(), r.afterMs());
                    } else {
                        System.out.printf(Locale.ROOT,
                                "| %s | %s | %,d | %,d | %,d | %.2f | %.0f %% | %.0f %% | %,d (torch %s) | %.3f |%n",
                                r.model(), r.scorer(), r.weights(), r.beforeMs(), r.afterMs(),
                                (double) r.beforeMs() / r.afterMs(), 100 * r.beforePhases().selectShare(),
                                100 * r.afterPhases().selectShare(),
                                r.torchMs(), r.torchVersion(), (double) r.afterMs() / r.torchMs());
                    }
                });
            }
        } finally {
            FileTrees.delete(scratch);
        }
        System.out.println();
        System.out.println("SynFlow masks of both implementations were identical bit for bit in every pair.");
        if (!phases.isEmpty()) {
            System.out.println();
            System.out.println("Where the fastest after run of SynFlow spent its time (ms, summed over rounds):");
            System.out.println();
            System.out.println("| model | rounds | forward and backward | scores out | selection | masks in"
                    + " | PyTorch outside selection |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
            phases.forEach(System.out::println);
        }
        return 0;
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "ONNX file bytes (plain and gzipped) and latency in libtorch and ONNX Runtime at batch 1 and 64 "
                    + "of the dense, upai and Reconvene networks, and of their int8 files, alternating runs in one "
                    + "process (docs/DEPLOY.md).")
    int deploy(
            @Option(names = "--models", split = ",", defaultValue = "vgg16,resnet20",
                    description = "Models (default ${DEFAULT-VALUE}).") List<String> models,
            @Option(names = "--sparsity", defaultValue = "0.98", description = "Sparsity (default ${DEFAULT-VALUE}).")
                    double sparsity,
            @Option(names = "--data", description = "Dataset whose input the graphs take (its normalisation and "
                    + "image side); without it, CIFAR-shaped normalised input.") String data,
            @Option(names = "--latency-runs", defaultValue = "30",
                    description = "Timed runs per network at batch 1 (default ${DEFAULT-VALUE}).") int latencyRuns) {
        requireSparsity(sparsity);
        requireModels(models);
        org.reconvene.deploy.InputTransform in;
        int classes;
        org.reconvene.data.ImageDataset ds = null;
        if (data != null) {
            ds = org.reconvene.data.DatasetLoader.load(data);
            in = org.reconvene.deploy.InputTransform.of(ds);
            classes = ds.numClasses();
        } else {
            in = org.reconvene.deploy.InputTransform.identity(3, 32);
            classes = 10;
        }
        System.out.println("| model | method | ONNX bytes | gzipped | libtorch b1 ms | ORT b1 ms | libtorch b64 ms"
                + " | ORT b64 ms | size vs upai (gz) | ORT speedup b1 vs upai | ORT speedup b64 vs upai"
                + " | ORT / libtorch b1 |");
        System.out.println("|" + " --- |".repeat(12));
        List<org.reconvene.bench.DeployBenchmark.Row> all = new java.util.ArrayList<>();
        for (String m : models) {
            List<org.reconvene.bench.DeployBenchmark.Row> rows =
                    org.reconvene.bench.DeployBenchmark.run(m, sparsity, in, classes, latencyRuns, ds);
            all.addAll(rows);
            org.reconvene.bench.DeployBenchmark.Row upai = rows.get(1);
            for (org.reconvene.bench.DeployBenchmark.Row r : rows) {
                System.out.printf(Locale.ROOT, "| %s | %s | %,d | %,d | %.2f | %.2f | %.2f | %.2f | %.2f (%.2f) | %.2f | %.2f"
                                + " | %.2f |%n", r.model(), r.method(), r.onnxBytes(), r.onnxGzipBytes(), r.torchMs()[0],
                        r.ortMs()[0], r.torchMs()[1], r.ortMs()[1], (double) upai.onnxBytes() / r.onnxBytes(),
                        (double) upai.onnxGzipBytes() / r.onnxGzipBytes(), upai.ortMs()[0] / r.ortMs()[0],
                        upai.ortMs()[1] / r.ortMs()[1], r.ortMs()[0] / r.torchMs()[0]);
            }
        }
        System.out.println();
        System.out.println("| model | method | int8 bytes | gzipped | ORT int8 b1 ms | ORT int8 b64 ms | float32 / int8 bytes"
                + " (gz) | int8 speedup b1 (b64) vs float32 | int8 size vs upai int8 (gz) | int8 speedup b1 vs upai int8 |");
        System.out.println("|" + " --- |".repeat(10));
        for (int i = 0; i < all.size(); i++) {
            org.reconvene.bench.DeployBenchmark.Row r = all.get(i);
            org.reconvene.bench.DeployBenchmark.Row upai = all.get(i - i % 3 + 1);
            System.out.printf(Locale.ROOT, "| %s | %s | %,d | %,d | %.2f | %.2f | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f)"
                            + " | %.2f |%n", r.model(), r.method(), r.int8Bytes(), r.int8GzipBytes(), r.ortInt8Ms()[0],
                    r.ortInt8Ms()[1], (double) r.onnxBytes() / r.int8Bytes(),
                    (double) r.onnxGzipBytes() / r.int8GzipBytes(), r.ortMs()[0] / r.ortInt8Ms()[0],
                    r.ortMs()[1] / r.ortInt8Ms()[1], (double) upai.int8Bytes() / r.int8Bytes(),
                    (double) upai.int8GzipBytes() / r.int8GzipBytes(), upai.ortInt8Ms()[0] / r.ortInt8Ms()[0]);
        }
        return 0;
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "A search file against the full grid of its space (every point trained to the last rung), "
                    + "in one run: candidates, infeasible, epochs trained, wall time, front size and hypervolume "
                    + "(docs/SEARCH.md). The space must be lists only.")
    int search(
            @CommandLine.Parameters(index = "0", description = "Search file.") Path conf,
            @Option(names = "--results", defaultValue = "runs/bench-search",
                    description = "Results of both runs (default ${DEFAULT-VALUE}).") String results,
            @Option(names = "--grid", description = "Name of the grid's rows (default: the search's name + '-grid'); "
                    + "the grid of another search file over the same space and defaults is reused as it is.")
                    String gridName)
            throws java.io.IOException {
        org.reconvene.bench.SearchBenchmark.run(conf, results, gridName);
        return 0;
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = "Trials per hour of a sweep on a standalone cluster of 1 and of 2 one-core executors "
                    + "(127.0.0.1), and the share of trial and executor time outside pruning, training and measuring. "
                    + "Needs the app jar and Spark's jars: mvn -B -Papp -DskipTests verify.")
    int sweep(
            @Option(names = "--sweep", defaultValue = "conf/sweeps/smoke.yaml",
                    description = "Sweep file (default ${DEFAULT-VALUE}).") Path sweepFile,
            @Option(names = "--executors", split = ",", defaultValue = "1,2",
                    description = "Cluster sizes (default ${DEFAULT-VALUE}).") List<Integer> sizes,
            @Option(names = "--work", defaultValue = "runs/bench-sweep",
                    description = "Logs and results (default ${DEFAULT-VALUE}); emptied first.") Path work)
            throws Exception {
        Path target = Path.of("jobs", "target");
        Path appJar = target.resolve("reconvene-app.jar");
        Path sparkHome = target.resolve("spark-home");
        if (!Files.isRegularFile(appJar) || !Files.isDirectory(sparkHome.resolve("jars"))) {
            throw new IllegalArgumentException("no " + appJar + " or " + sparkHome.resolve("jars")
                    + "; build them with mvn -B -Papp -DskipTests verify");
        }
        org.reconvene.sweep.SweepSpec.load(sweepFile);
        FileTrees.delete(work);
        String addOpens = String.join(" ", ChildJvmFlags.of(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()).stream()
                .filter(f -> f.startsWith("--add-opens") || f.startsWith("-Djdk.reflect")).toList());
        String djl = System.getenv().getOrDefault("DJL_CACHE_DIR", Path.of(".cache", "djl").toAbsolutePath().toString());
        List<SweepThroughput.Result> results = new java.util.ArrayList<>();
        try (org.apache.spark.sql.SparkSession local =
                org.reconvene.sweep.SparkSessions.create("reconvene bench sweep", "local[1]")) {
            for (int n : sizes) {
                results.add(SweepThroughput.run(local, sparkHome, appJar, addOpens, djl, sweepFile, n,
                        work.resolve(n + "-executors")));
            }
        }
        // The speedup needs a one-executor run of its own; scaling another size down would assume it.
        double base = results.stream()
                .filter(r -> r.executors() == 1)
                .mapToDouble(SweepThroughput.Result::trialsPerHour)
                .findFirst()
                .orElse(Double.NaN);
        System.out.println("| executors | trials | span s | wall s | trials/hour | vs 1 executor | trial overhead |"
                + " executor time outside trials |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (SweepThroughput.Result r : results) {
            String speedup = Double.isNaN(base) ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.trialsPerHour() / base);
            System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.0f | %s | %.1f %% | %.1f %% |%n",
                    r.executors(), r.trials(), r.spanSeconds(), r.wallSeconds(), r.trialsPerHour(),
                    speedup, 100 * r.trialOverhead(), 100 * r.taskOverhead());
        }
        return 0;
    }

    @Command(name = "peak", mixinStandardHelpOptions = true,
            description = "The machine's float32 peak: nominal (cores x clock x 32) and measured sgemm.")
    int peak(
            @Option(names = "--threads", defaultValue = "0", description = "Threads; 0 = all cores.") int threads,
            @Option(names = "--n", defaultValue = "2048", description = "Matrix size (default ${DEFAULT-VALUE}).")
                    int n) {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        MachinePeak.Result r = MachinePeak.measure(t, n);
        System.out.printf(Locale.ROOT, "| threads | nominal GFLOP/s | sgemm %dx%d GFLOP/s |%n| --- | --- | --- |%n"
                + "| %d | %.1f | %.1f |%n", n, n, t, r.nominal(), r.sgemm());
        return 0;
    }
}
