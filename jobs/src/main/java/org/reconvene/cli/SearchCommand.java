package org.reconvene.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.reconvene.pareto.Objective;
import org.reconvene.search.SearchJob;
import org.reconvene.search.SearchSpec;
import org.reconvene.sweep.SparkSessions;
import org.reconvene.sweep.SweepSpec;
import org.reconvene.trial.TrialConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs a budget search (conf/search/*.yaml; docs/SEARCH.md) on Spark and prints its Pareto front.
 *
 * <pre>
 * bin/reconvene search conf/search/quick.yaml --front front.csv
 * bin/reconvene search conf/search/quick.yaml --front front.csv --resume   # after an interruption
 * </pre>
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search a space for the most accurate networks under device constraints: prune and measure every "
                + "candidate, drop those that break a constraint before any training, train the rest in rungs and "
                + "promote the non-dominated share. Rows land under RESULTS/sweep=<name>/, one per rung of a trial.")
final class SearchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Search file, e.g. conf/search/quick.yaml.")
    Path conf;

    @Option(names = "--master", description = "Spark master URL (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--results", defaultValue = "results",
            description = "Results directory or Hadoop URI (default ${DEFAULT-VALUE}).")
    String results;

    @Option(names = "--resume", description = "Keep the rows of rungs already run; run only what is missing.")
    boolean resume;

    @Option(names = "--front", description = "Also write the front as CSV to this file.")
    Path frontFile;

    @Option(names = "--dry-run", description = "Validate and print the plan without running it.")
    boolean dryRun;

    @Option(names = "--sample", defaultValue = "5", description = "Candidates shown by --dry-run (default ${DEFAULT-VALUE}).")
    int sample;

    @Override
    public Integer call() throws Exception {
        SearchSpec search = SearchSpec.load(SubmittedFiles.resolve(conf, "search file"));
        List<TrialConfig> candidates = search.candidates().trials();
        int[] rungs = search.rungs();
        System.out.printf(Locale.ROOT, "search %s (%s): %d candidates, rungs %s epochs, eta %d, objectives %s, "
                        + "constraints %s%n", search.candidates().name(), conf, candidates.size(),
                java.util.Arrays.toString(rungs), search.eta(), search.objectives().stream()
                        .map(o -> o.metric() + " " + (o.maximise() ? "max" : "min")).toList(),
                search.constraints().stream().map(c -> c.metric() + (c.min() != null ? " >= " + c.min() : "")
                        + (c.max() != null ? " <= " + c.max() : "")).toList());
        if (dryRun) {
            candidates.stream().limit(sample).forEach(t -> System.out.println("  " + TrialText.describe(t)));
            if (candidates.size() > sample) {
                System.out.printf("  ... %d more (--sample N shows more)%n", candidates.size() - sample);
            }
            return 0;
        }
        String resultsUri = SweepSpec.resolveUri(results);
        try (SparkSession spark = SparkSessions.create("reconvene search " + search.candidates().name(), master);
                Interruption interruption = Interruption.install(spark::stop)) {
            SearchJob.Outcome o;
            try {
                o = SearchJob.run(spark, search, new SearchJob.Options(resultsUri, resume));
            } catch (Exception e) {
                if (!interruption.signalled()) {
                    throw e;
                }
                System.err.println("interrupted: finished rungs are committed; rerun with --resume");
                return interruption.exitCode();
            }
            System.out.printf(Locale.ROOT, "candidates per rung %s, %d infeasible (never trained), %d epochs trained%n",
                    java.util.Arrays.toString(o.candidatesPerRung()), o.infeasible(), o.epochsTrained());
            print(search, o.front());
            if (frontFile != null) {
                writeCsv(search, o.front(), frontFile);
                System.out.println("front written to " + frontFile);
            }
            return 0;
        }
    }

    private static List<String> columns(SearchSpec s) {
        List<String> c = new java.util.ArrayList<>();
        s.objectives().stream().map(Objective::metric).forEach(c::add);
        s.constraints().stream().map(SearchSpec.Constraint::metric).filter(m -> !c.contains(m)).forEach(c::add);
        return c;
    }

    private static void print(SearchSpec s, List<SearchJob.Member> front) {
        List<String> cols = columns(s);
        System.out.println("Pareto front (" + front.size() + "):");
        System.out.println("| trial_id | rung | " + String.join(" | ", cols) + " | model |");
        System.out.println("|" + " --- |".repeat(cols.size() + 3));
        for (SearchJob.Member m : front) {
            StringBuilder b = new StringBuilder("| " + m.trialId() + " | " + m.rung() + " |");
            for (String c : cols) {
                b.append(' ').append(format(m.values().get(c))).append(" |");
            }
            System.out.println(b + " " + m.modelDir() + " |");
        }
    }

    private static void writeCsv(SearchSpec s, List<SearchJob.Member> front, Path file) throws java.io.IOException {
        List<String> cols = columns(s);
        StringBuilder b = new StringBuilder("trial_id,rung," + String.join(",", cols) + ",model_dir\n");
        for (SearchJob.Member m : front) {
            b.append(m.trialId()).append(',').append(m.rung());
            for (String c : cols) {
                Double v = m.values().get(c);
                b.append(',').append(v == null ? "" : v.toString());
            }
            b.append(',').append(m.modelDir()).append('\n');
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, b);
    }

    private static String format(Double v) {
        if (v == null || v.isNaN()) {
            return "";
        }
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.4g", v);
    }
}
