package org.reconvene.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.reconvene.results.ResultScan;
import org.reconvene.results.ResultTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.reconvene.results.ResultQueries;
import org.reconvene.sweep.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands on a results table itself, rather than on what its rows say. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Check a results table (check), query it with SQL (sql), or list its best trials (best).",
        subcommands = {ResultsCommand.Check.class, ResultsCommand.Sql.class, ResultsCommand.Best.class})
final class ResultsCommand implements Runnable {

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: check, sql or best");
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

    /** Any SQL over the results, as the table {@code results}. */
    @Command(name = "sql", mixinStandardHelpOptions = true,
            description = {"Run a SQL query over a results table, seen as the table `results` (every readable row of "
                    + "every sweep and search; damaged files are named and skipped). For example:",
                    "  results sql --results results \"SELECT method, avg(top1) FROM results WHERE status = 'OK' "
                            + "GROUP BY method\""})
    static final class Sql implements Callable<Integer> {
        @Option(names = "--results", defaultValue = "results",
                description = "Results directory or Hadoop URI (default ${DEFAULT-VALUE}).")
        String results;

        @Option(names = "--format", defaultValue = "table",
                description = "table (aligned text), csv or json (one object a line) (default ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--max-rows", defaultValue = "100", description = "Rows printed (default ${DEFAULT-VALUE}).")
        int maxRows;

        @Parameters(index = "0", description = "The query, e.g. \"SELECT * FROM results LIMIT 5\".")
        String query;

        @Override
        public Integer call() throws java.io.IOException {
            if (maxRows < 1) {
                throw new IllegalArgumentException("--max-rows must be at least 1, got " + maxRows);
            }
            try (SparkSession spark = SparkSessions.create("reconvene results sql", null)) {
                Dataset<Row> out;
                try {
                    out = ResultQueries.sql(spark, ResultTable.at(results, spark.sparkContext().hadoopConfiguration()),
                            query);
                } catch (Exception e) {
                    throw badQuery("the query is not valid SQL over `results`", e);
                }
                print(out, format, maxRows);
            }
            return 0;
        }
    }

    /** The best trials by one metric. */
    @Command(name = "best", mixinStandardHelpOptions = true,
            description = {"List the best OK trials by a metric (each trial once): their ids, the settings that tell "
                    + "them apart and the main metrics. Higher is better for top1, ratios and speedups; lower for "
                    + "sizes, times, counts and loss; --order overrides. For example:",
                    "  results best --results results --by top1 --where \"latency_ms_b1 < 2 AND method = 'reconvene'\" -k 3"})
    static final class Best implements Callable<Integer> {
        @Option(names = "--results", defaultValue = "results",
                description = "Results directory or Hadoop URI (default ${DEFAULT-VALUE}).")
        String results;

        @Option(names = "--by", required = true, description = "The metric to rank by, e.g. top1 or latency_ms_b1.")
        String by;

        @Option(names = "--where", description = "A SQL condition the trials must meet, e.g. \"serialized_bytes < 2e5\".")
        String where;

        @Option(names = {"-k", "--top"}, defaultValue = "5", description = "Trials listed (default ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--order", description = "asc or desc (default: the metric's own).")
        String order;

        @Option(names = "--format", defaultValue = "table",
                description = "table, csv or json (default ${DEFAULT-VALUE}).")
        String format;

        @Override
        public Integer call() throws java.io.IOException {
            if (k < 1) {
                throw new IllegalArgumentException("-k must be at least 1, got " + k);
            }
            Boolean descending = order == null ? null : switch (order.toLowerCase(java.util.Locale.ROOT)) {
                case "asc" -> false;
                case "desc" -> true;
                default -> throw new IllegalArgumentException("--order must be asc or desc, got '" + order + "'");
            };
            try (SparkSession spark = SparkSessions.create("reconvene results best", null)) {
                Dataset<Row> out;
                try {
                    out = ResultQueries.best(spark, ResultTable.at(results, spark.sparkContext().hadoopConfiguration()),
                            by, where, k, descending);
                } catch (Exception e) {
                    throw badQuery("--where is not a valid condition", e);
                }
                print(out, format, k);
            }
            return 0;
        }
    }

    /** Spark's analysis errors (a bad column, bad syntax) are bad input; anything else is rethrown. */
    private static RuntimeException badQuery(String what, Exception e) {
        if (e instanceof org.apache.spark.sql.AnalysisException || e instanceof org.apache.spark.sql.catalyst.parser.ParseException) {
            return new IllegalArgumentException(what + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(e);
    }

    private static void print(Dataset<Row> out, String format, int maxRows) {
        switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "table" -> System.out.print(ResultQueries.text(out, maxRows));
            case "csv" -> {
                System.out.println(String.join(",", out.columns()));
                for (Row r : out.limit(maxRows).collectAsList()) {
                    List<String> cells = new java.util.ArrayList<>();
                    for (int i = 0; i < r.size(); i++) {
                        Object v = r.get(i);
                        String c = v == null ? "" : v.toString();
                        cells.add(c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
                    }
                    System.out.println(String.join(",", cells));
                }
            }
            case "json" -> out.limit(maxRows).toJSON().collectAsList().forEach(System.out::println);
            default -> throw new IllegalArgumentException("--format must be table, csv or json, got '" + format + "'");
        }
    }
}
