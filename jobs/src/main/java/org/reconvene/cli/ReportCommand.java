package org.reconvene.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.reconvene.report.ReportJob;
import org.reconvene.report.Results;
import org.reconvene.sweep.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Builds the comparison tables of a results table with Spark SQL and writes them as Markdown and CSV. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write the paper's comparison tables from sweep results: report.md, comparison.csv and "
                + "headline.csv in --out, and print the Markdown.")
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--results", defaultValue = "results",
            description = "Results directory or Hadoop URI (default ${DEFAULT-VALUE}).")
    String results;

    @Option(names = "--sweep", description = "Only this sweep (default: every sweep in the results).")
    String sweep;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--tolerance", defaultValue = "0.01",
            description = "Largest top-1 drop below upai for the headline table (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Override
    public Integer call() throws java.io.IOException {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("--tolerance must be >= 0, got " + tolerance);
        }
        try (SparkSession spark = SparkSessions.create("reconvene report", master)) {
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows = Results.load(spark, results).cache();
            ReportJob.Report r = ReportJob.build(rows, sweep, tolerance);
            ReportJob.write(r, out);
            java.nio.file.Path page = org.reconvene.report.ReportHtml.write(rows, sweep, tolerance, out, r);
            System.out.print(r.markdown());
            System.out.println("\nwrote " + out.resolve("report.md") + ", the figures and " + page
                    + " (open it in a browser)");
        }
        return 0;
    }
}
