package org.reconvene.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.reconvene.search.SearchJob;
import org.reconvene.search.SearchSpec;
import org.reconvene.sweep.SparkSessions;
import org.reconvene.sweep.SweepSpec;

/**
 * A search against the full grid of its space, in one run (docs/SEARCH.md): both are run (or
 * resumed) into one results directory, and their fronts compared by hypervolume against one
 * reference point, beside the training epochs each represents.
 */
public final class SearchBenchmark {

    private SearchBenchmark() {}

    /** Runs the comparison and prints its Markdown table. */
    public static void run(Path conf, String results, String gridName) throws java.io.IOException {
        Path base = Path.of("").toAbsolutePath();
        Map<String, Object> root = SweepSpec.readMapping(conf);
        SearchSpec search = SearchSpec.of(conf.toString(), root, base);
        SearchSpec grid = search.fullGrid(conf.toString(), root, base, gridName);
        String uri = SweepSpec.resolveUri(results);
        try (SparkSession spark = SparkSessions.create("reconvene bench search", null)) {
            long g0 = System.nanoTime();
            SearchJob.Outcome go = SearchJob.run(spark, grid, new SearchJob.Options(uri, true));
            long g1 = System.nanoTime();
            SearchJob.Outcome so = SearchJob.run(spark, search, new SearchJob.Options(uri, true));
            long s1 = System.nanoTime();
            Map<String, Double> worst = new HashMap<>();
            for (SearchJob.Outcome o : List.of(go, so)) {
                o.front().forEach(m -> m.values().forEach((k, v) -> worst.merge(k, v, Math::max)));
            }
            double[] ref = search.reference(worst);
            double hvGrid = SearchJob.hypervolume(grid, go.front(), ref);
            double hvSearch = SearchJob.hypervolume(search, so.front(), ref);
            System.out.println("reference point (minimised objectives): " + Arrays.toString(ref));
            System.out.println("| run | candidates per rung | infeasible | epochs in its rows | wall s | front "
                    + "| hypervolume | of the grid's |");
            System.out.println("|" + " --- |".repeat(8));
            System.out.printf(Locale.ROOT, "| full grid | %s | %d | %d | %.0f | %d | %.6g | 100 %% |%n",
                    Arrays.toString(go.candidatesPerRung()), go.infeasible(), go.epochsInRows(), (g1 - g0) / 1e9,
                    go.front().size(), hvGrid);
            System.out.printf(Locale.ROOT, "| search | %s | %d | %d | %.0f | %d | %.6g | %.1f %% |%n",
                    Arrays.toString(so.candidatesPerRung()), so.infeasible(), so.epochsInRows(), (s1 - g1) / 1e9,
                    so.front().size(), hvSearch, 100 * hvSearch / hvGrid);
            System.out.printf(Locale.ROOT, "search / grid: %.1f %% of the hypervolume for %.1f %% of the training "
                    + "epochs%n", 100 * hvSearch / hvGrid, 100.0 * so.epochsInRows() / go.epochsInRows());
        }
    }
}
