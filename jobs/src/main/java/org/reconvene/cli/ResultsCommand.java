package org.reconvene.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Commands on a results table itself, rather than on what its rows say. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Check a results table (rows, trials, unreadable files, duplicates, stale staging).",
        subcommands = {ResultsCommand.Check.class})
final class ResultsCommand implements Runnable {

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
    }

    /**
     * Reads every file of a results table without Spark and says what is wrong with it; exit 1 if
     * anything is. A sweep's {@code --resume} repairs what it can (it redoes trials whose row is
     * unreadable and removes stale staging); foreign files are the user's to move.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Read every file under a results table without Spark and list rows, trials, sweeps, "
                    + "unreadable or foreign files, duplicate and misnamed rows, and staging left by interrupted commits. "
                    + "Exit 0 when all is well, 1 when anything is wrong.")
    static final class Check implements Callable<Integer> {

        @Parameters(index = "0", description = "Results directory or Hadoop URI, e.g. results.")
        String results;

        @Override
        public Integer call() {
            ResultScan scan = ResultTable.at(results, new Configuration()).scan(null);
            Map<String, Map<String, Integer>> bySweep = new TreeMap<>();
            for (ResultScan.RowFile r : scan.rows()) {
                bySweep.computeIfAbsent(String.valueOf(r.sweepId()), k -> new TreeMap<>())
                        .merge(String.valueOf(r.status()), 1, Integer::sum);
            }
            System.out.printf("results %s: %d rows, %d trials, %d sweeps%n", scan.root(), scan.rows().size(),
                    scan.rows().stream().map(ResultScan.RowFile::trialId).distinct().count(), bySweep.size());
            bySweep.forEach((s, c) -> System.out.printf("  sweep %s: %d rows (%s)%n", s,
                    c.values().stream().mapToInt(Integer::intValue).sum(), String.join(", ", c.entrySet().stream()
                            .map(e -> e.getValue() + " " + e.getKey()).toList())));
            section("unreadable or foreign files", scan.problems().stream().map(p -> p.path() + ": " + p.reason()).toList());
            section("duplicate rows (one trial, several files in one sweep)", scan.duplicates().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).toList());
            section("rows not named after their trial", scan.rows().stream().filter(r -> !r.named())
                    .map(r -> r.path() + " holds trial " + r.trialId()).toList());
            section("staging files of interrupted commits (the next run of the sweep removes them)", scan.staging());
            System.out.printf("trials in more than one sweep: %d (reports count each once)%n", scan.sharedAcrossSweeps());
            System.out.println(scan.healthy() ? "ok" : "problems found");
            return scan.healthy() ? 0 : ReconveneCli.EXIT_FAILURE;
        }

        private static void section(String title, List<String> lines) {
            System.out.printf("%s: %d%n", title, lines.size());
            lines.forEach(l -> System.out.println("  " + l));
        }
    }
}
