package org.reconvene.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.hadoop.conf.Configuration;
import org.reconvene.results.ResultTable;
import org.reconvene.train.Progress;
import org.reconvene.sweep.SweepJob;
import org.reconvene.sweep.SparkSessions;
import org.reconvene.sweep.SweepSpec;
import org.reconvene.trial.TrialConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs a sweep of pruning trials on Spark and prints the comparison table; with --dry-run,
 * validates the sweep and shows what would run.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run the trials of a sweep file (conf/sweeps/*.yaml) on Spark; each finished trial is "
                + "committed as a Parquet row under RESULTS/sweep=<name>/. Ends by printing a comparison table.")
final class SweepCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Sweep file, e.g. conf/sweeps/quickstart.yaml.")
    Path conf;

    @Option(names = "--master",
            description = {"Spark master URL (default: spark-submit's, else local[*] with embedded Spark).",
                    "For a cluster, run this command through spark-submit with the app jar (README)."})
    String master;

    @Option(names = "--results", defaultValue = "results",
            description = "Results directory or Hadoop URI (default ${DEFAULT-VALUE}).")
    String results;

    @Option(names = "--resume", description = "Skip trials that already have a row (OK or FAILED).")
    boolean resume;

    @Option(names = "--retry-failed", description = "Skip trials already OK and rerun the FAILED ones.")
    boolean retryFailed;

    @Option(names = "--parallelism", defaultValue = "0",
            description = "Spark partitions for the trials; 0 means one trial per task (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--dry-run", description = "Validate and print the trials without running them.")
    boolean dryRun;

    @Option(names = "--sample", defaultValue = "5", description = "Trials shown by --dry-run (default ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--max-trials", defaultValue = "" + SweepSpec.DEFAULT_MAX_TRIALS,
            description = "Refuse a sweep whose grid and random samples make more trials than this, before building "
                    + "any (default ${DEFAULT-VALUE}).")
    long maxTrials;

    @Override
    public Integer call() throws Exception {
        if (maxTrials < 1) {
            throw new IllegalArgumentException("--max-trials must be >= 1, got " + maxTrials);
        }
        SweepSpec spec = SweepSpec.load(SubmittedFiles.resolve(conf, "sweep file"), maxTrials);
        List<TrialConfig> trials = spec.trials();
        if (dryRun) {
            printPlan(spec, trials);
            return 0;
        }
        if (parallelism < 0) {
            throw new IllegalArgumentException("--parallelism must be >= 0, got " + parallelism);
        }
        String resultsUri = SweepSpec.resolveUri(results);
        if (resume || retryFailed) {
            // nothing left to run: answer from the rows, without starting Spark
            Configuration local = new Configuration();
            ResultTable table = ResultTable.at(resultsUri, local).requireUsable();
            org.reconvene.results.ResultScan scan = table.scan(spec.name());
            int threads = Integer.parseInt(System.getProperty("spark.task.cpus", "1"));
            if (org.reconvene.sweep.SweepJob.toRun(spec, new SweepJob.Options(resultsUri, resume, retryFailed,
                    parallelism), scan, threads).isEmpty()) {
                System.out.printf("sweep %s: %d trials, 0 run (0 OK, 0 FAILED), %d skipped; rows in %s/sweep=%s%n",
                        spec.name(), trials.size(), trials.size(), resultsUri, spec.name());
                printTable(scan);
                return 0;
            }
        }
        try (SparkSession spark = SparkSessions.create("reconvene sweep " + spec.name(), master);
                Interruption interruption = Interruption.install(spark::stop)) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            SweepJob.Outcome o;
            try {
                try (ConsoleProgress bar = ConsoleProgress.open("sweep " + spec.name(), "trials")) {
                    o = SweepJob.run(spark, spec, new SweepJob.Options(resultsUri, resume, retryFailed, parallelism),
                            ConsoleProgress.terminal() ? bar : Progress.NONE);
                }
            } catch (Exception e) {
                // Spark's SparkException is checked but thrown undeclared from Scala: catch it too.
                if (!interruption.signalled()) {
                    throw e;
                }
                System.err.printf("interrupted: %d of %d trials committed; rerun with --resume%n",
                        committed(spec, resultsUri, hadoop), trials.size());
                return interruption.exitCode();
            }
            System.out.printf("sweep %s: %d trials, %d run (%d OK, %d FAILED), %d skipped; rows in %s/sweep=%s%n",
                    spec.name(), o.trials(), o.ran(), o.ok(), o.failed(), o.skipped(), resultsUri, spec.name());
            printTable(ResultTable.at(resultsUri, hadoop).scan(spec.name()));
            return o.failed() > 0 ? 1 : 0;
        }
    }

    /** Trials of {@code spec} that have a readable row in the results. */
    private static long committed(SweepSpec spec, String resultsUri, Configuration hadoop) {
        java.util.Set<String> done = ResultTable.at(resultsUri, hadoop).scan(spec.name()).statuses().keySet();
        return spec.trials().stream().filter(t -> done.contains(t.trialId())).count();
    }

    /** The sweep's rows as a table (one line per trial), from what the scan read; no Spark. */
    private static void printTable(org.reconvene.results.ResultScan scan) {
        scan.warnings().forEach(w -> System.err.println("warning: " + w));
        System.out.print(SweepTable.render(scan.rows().stream().map(org.reconvene.results.ResultScan.RowFile::values)
                .toList()));
    }

    private void printPlan(SweepSpec spec, List<TrialConfig> trials) {
        System.out.printf("sweep %s (%s): %d trials over %s (%d before exclude rules and merging)%n", spec.name(),
                spec.file(), trials.size(), spec.axes(), spec.plannedTrialCount());
        for (SweepSpec.DataSource d : spec.data().values()) {
            System.out.printf("  data %s at %s%s%n", d.dataset(), d.uri(), d.generate().isEmpty() ? ""
                    : " (generated if missing: " + d.generate() + ")");
        }
        for (TrialConfig t : trials.subList(0, Math.min(sample, trials.size()))) {
            System.out.printf("  %s%n", TrialText.describe(t));
        }
        if (trials.size() > sample) {
            System.out.printf("  ... %d more%n", trials.size() - sample);
        }
    }
}
