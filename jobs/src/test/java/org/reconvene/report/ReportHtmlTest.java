package org.reconvene.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.sweep.SparkTestBase;

/**
 * The HTML report in a real browser (Debian's headless Chromium): the page loads, its tables and
 * every figure render, and a click sorts a table. The screenshot it takes is the README's.
 */
class ReportHtmlTest extends SparkTestBase {

    private static final String CHROMIUM = "/usr/bin/chromium";

    @Test
    void thePageRendersItsTablesAndFiguresAndSorts(@TempDir Path dir) throws Exception {
        boolean present = Files.isExecutable(Path.of(CHROMIUM));
        if (!present && "1".equals(System.getenv("RECONVENE_REQUIRE_CHROMIUM"))) {
            throw new AssertionError("chromium is required (RECONVENE_REQUIRE_CHROMIUM=1)");
        }
        assumeTrue(present, "chromium not installed");
        String results = dir.resolve("results").toUri().toString();
        ReportJobTest.writeRows(results);
        Dataset<Row> rows = Results.load(spark, results);
        ReportJob.Report r = ReportJob.build(rows, "s", 0.01);
        Path page = ReportHtml.write(rows, null, 0.01, dir.resolve("out"), r);
        String html = Files.readString(page);
        assertTrue(html.contains("data:image/png;base64,"), "figures inlined: a self-contained page");

        String dom = chromium(dir, "--dump-dom", page.toUri().toString());
        Matcher images = Pattern.compile("data-images=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(images.find(), "the page's script ran");
        assertEquals(images.group(2), images.group(1), "every figure loaded");
        assertTrue(Integer.parseInt(images.group(2)) >= 3, dom.length() + " chars");
        assertEquals(2 + 1 + 1, count(dom, "<table class=\"sortable"), "two comparison tables, headline, front");
        // sorted by top1 (column 2) through the page's own click handler: ascending
        String sorted = chromium(dir, "--dump-dom", page.toUri() + "#sort=2");
        List<Double> top1 = firstTableColumn(sorted, 2);
        List<Double> ascending = new ArrayList<>(top1);
        ascending.sort(null);
        assertEquals(ascending, top1);
        assertTrue(top1.size() >= 4, top1.toString());

        Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        chromium(dir, "--screenshot=" + shot, "--window-size=1400,2400", page.toUri().toString());
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the page");
    }

    private static List<Double> firstTableColumn(String dom, int column) {
        int start = dom.indexOf("<table class=\"sortable comparison\"");
        String table = dom.substring(start, dom.indexOf("</table>", start));
        List<Double> out = new ArrayList<>();
        Matcher row = Pattern.compile("<tr class=[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(table);
        while (row.find()) {
            Matcher cell = Pattern.compile("<td data-v=\"([^\"]*)\"").matcher(row.group(1));
            for (int i = 0; i <= column && cell.find(); i++) {
                if (i == column) {
                    out.add(Double.parseDouble(cell.group(1)));
                }
            }
        }
        return out;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String chromium(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--virtual-time-budget=3000", "--user-data-dir=" + dir.resolve("chromium")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("chromium.err")));
        return out;
    }
}
