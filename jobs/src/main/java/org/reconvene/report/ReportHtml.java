package org.reconvene.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The report as one self-contained HTML page: a section per sweep or search with its headline, its
 * comparison tables (sortable: click a column's header), its figures (PNG, inlined) and its Pareto
 * front; no file beside it is needed, so the page can be mailed or attached to a ticket.
 */
public final class ReportHtml {

    /** The page's file name in a report directory. */
    public static final String FILE = "index.html";

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
            h1{font-size:1.6em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:2em}
            h3{font-size:1.05em;margin-top:1.5em}
            .wide{overflow-x:auto}table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.85em}
            th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right}
            th{background:#f3f3f3;cursor:pointer;user-select:none}th:hover{background:#e6e6ff}
            td:first-child,th:first-child{text-align:left}
            th.asc:after{content:" \\25B2"}th.desc:after{content:" \\25BC"}
            tr.reconvene td{background:#fff3f3}
            img{max-width:100%;border:1px solid #eee;margin:.5em 0}
            .figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1em}
            .note{color:#666;font-size:.9em}
            """;

    /** Sorts a table by the clicked column: numbers as numbers, blanks last; a second click reverses. */
    private static final String SCRIPT = """
            document.querySelectorAll('table.sortable th').forEach(function (th, col) {
              th.addEventListener('click', function () {
                var table = th.closest('table'), body = table.tBodies[0];
                var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
                var asc = !th.classList.contains('asc');
                table.querySelectorAll('th').forEach(function (h) { h.classList.remove('asc', 'desc'); });
                th.classList.add(asc ? 'asc' : 'desc');
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = a.cells[idx].dataset.v, y = b.cells[idx].dataset.v;
                  if (x === '' && y === '') return 0; if (x === '') return 1; if (y === '') return -1;
                  var nx = parseFloat(x), ny = parseFloat(y);
                  var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
                  return asc ? c : -c;
                });
                rows.forEach(function (r) { body.appendChild(r); });
              });
            });
            // #sort=N clicks the Nth header of the first comparison table once (a link can share a sorted view)
            var m = /sort=(\\d+)/.exec(location.hash);
            if (m) { var h = document.querySelector('table.comparison'); if (h) h.querySelectorAll('th')[+m[1]].click(); }
            var imgs = document.images, loaded = 0;
            function done() { document.body.setAttribute('data-images', loaded + '/' + imgs.length); }
            Array.prototype.forEach.call(imgs, function (i) {
              if (i.complete && i.naturalWidth > 0) { loaded++; } else { i.addEventListener('load', function () { loaded++; done(); }); }
            });
            done();
            """;

    private static final List<String> COLUMNS = List.of("method", "seeds", "top1", "±", "vs dense", "vs upai", "params",
            "nonzero", "size MB", "compression", "MACs", "latency b1 ms", "latency b64 ms", "size ratio",
            "speedup b1 vs upai", "prune ms", "ONNX gz MB", "ORT b1 ms", "ORT b64 ms", "ORT speedup b1 vs upai");

    private ReportHtml() {}

    /**
     * Writes {@value #FILE} into {@code dir}: one section per sweep (or search) of {@code results},
     * or of {@code onlySweep} alone. {@code whole}, the report already built over the same rows, is
     * reused where there is one section.
     */
    public static Path write(Dataset<Row> results, String onlySweep, double tolerance, Path dir,
            ReportJob.Report whole) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Reconvene report</title><style>").append(STYLE).append("</style></head><body>\n")
                .append("<h1>Reconvene results</h1>\n<p class=\"note\">Headline: Reconvene's largest size ratio and "
                        + "batch-1 speedup against the unstructured counterpart (upai) whose top-1 stays within ")
                .append(tolerance).append(" of it. Click a column's header to sort a table.</p>\n");
        List<String> sweeps = onlySweep != null ? List.of(onlySweep) : results.select("sweep_id").distinct()
                .filter(functions.col("sweep_id").isNotNull()).orderBy("sweep_id").collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        html.append("<p>Sections: ");
        for (String s : sweeps) {
            html.append("<a href=\"#").append(anchor(s)).append("\">").append(esc(s)).append("</a> ");
        }
        html.append("</p>\n");
        for (String s : sweeps) {
            Dataset<Row> own = results.filter(functions.col("sweep_id").equalTo(s));
            boolean search = own.filter("rung IS NOT NULL").limit(1).count() > 0;
            ReportJob.Report r = sweeps.size() == 1 && whole != null ? whole : ReportJob.build(own, s, tolerance);
            section(html, s, search, r);
        }
        html.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE);
            Files.writeString(file, html, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    private static void section(StringBuilder html, String sweep, boolean search, ReportJob.Report r) {
        html.append("<h2 id=\"").append(anchor(sweep)).append("\">").append(search ? "Search " : "Sweep ")
                .append(esc(sweep)).append("</h2>\n");
        if (!r.headline().isEmpty()) {
            html.append("<h3>Headline</h3>\n<table class=\"sortable\"><thead><tr><th>model / dataset</th>"
                    + "<th>best size ratio</th><th>at</th><th>best speedup b1</th><th>at</th></tr></thead><tbody>\n");
            for (Map<String, Object> h : r.headline()) {
                html.append("<tr>").append(td(h.get("model") + " / " + h.get("dataset"))).append(td(h.get("size_ratio")))
                        .append(td(h.getOrDefault("size_ratio_at", ""))).append(td(h.get("speedup_b1")))
                        .append(td(h.getOrDefault("speedup_b1_at", ""))).append("</tr>\n");
            }
            html.append("</tbody></table>\n");
        }
        for (Map.Entry<String, List<MethodStats>> t : r.tables().entrySet()) {
            html.append("<h3>").append(esc(t.getKey())).append("</h3>\n<div class=\"wide\"><table class=\"sortable comparison\"><thead><tr>");
            COLUMNS.forEach(c -> html.append("<th>").append(esc(c)).append("</th>"));
            html.append("</tr></thead><tbody>\n");
            MethodStats dense = find(t.getValue(), "dense");
            MethodStats upai = find(t.getValue(), "upai");
            for (MethodStats s : t.getValue()) {
                html.append("<tr class=\"").append(esc(s.method())).append("\">").append(td(s.method()))
                        .append(td(s.seeds())).append(td(s.top1Mean())).append(td(s.seeds() > 1 ? s.top1Std() : null))
                        .append(td(dense == null ? null : s.top1Mean() - dense.top1Mean()))
                        .append(td(upai == null ? null : s.top1Mean() - upai.top1Mean()))
                        .append(td(Math.round(s.params()))).append(td(Math.round(s.paramsNonzero())))
                        .append(td(s.sizeMb())).append(td(s.compression())).append(td(Math.round(s.macs())))
                        .append(td(s.latencyMsB1())).append(td(s.latencyMsB64())).append(td(s.sizeRatio()))
                        .append(td(s.speedupB1())).append(td(Math.round(s.pruneMs()))).append(td(s.onnxGzipMb()))
                        .append(td(s.latencyOrtMsB1())).append(td(s.latencyOrtMsB64())).append(td(s.speedupOrtB1()))
                        .append("</tr>\n");
            }
            html.append("</tbody></table></div>\n");
        }
        if (!r.int8().isEmpty()) {
            html.append("<h3>Deployment: float32 and int8 files</h3>\n<div class=\"wide\"><table class=\"sortable\"><thead><tr>");
            ReportJob.Int8Stats.COLUMNS.forEach(c -> html.append("<th>").append(esc(c)).append("</th>"));
            html.append("</tr></thead><tbody>\n");
            for (ReportJob.Int8Stats q : r.int8()) {
                html.append("<tr class=\"").append(esc(q.method())).append("\">");
                q.cells().forEach(c -> html.append(td(c)));
                html.append("</tr>\n");
            }
            html.append("</tbody></table></div>\n");
        }
        List<ReportJob.TradeOff> front = r.tradeOffs().stream().filter(ReportJob.TradeOff::onFront).toList();
        if (!front.isEmpty()) {
            html.append("<h3>Pareto front: top-1 against batch-1 latency</h3>\n<table class=\"sortable\"><thead><tr>"
                    + "<th>method</th><th>top1</th><th>latency b1 ms</th></tr></thead><tbody>\n");
            for (ReportJob.TradeOff p : front) {
                html.append("<tr class=\"").append(esc(p.method())).append("\">").append(td(p.method()))
                        .append(td(p.top1())).append(td(p.latencyMsB1())).append("</tr>\n");
            }
            html.append("</tbody></table>\n");
        }
        html.append("<div class=\"figs\">\n");
        ReportPlots.images(r).forEach((name, img) -> html.append("<img alt=\"").append(esc(name))
                .append("\" src=\"data:image/png;base64,").append(png(img)).append("\">\n"));
        html.append("</div>\n");
    }

    private static MethodStats find(List<MethodStats> t, String method) {
        return t.stream().filter(s -> s.method().equals(method)).findFirst().orElse(null);
    }

    /** A cell: the value shown (numbers rounded) and its sort key. */
    private static String td(Object v) {
        String key;
        String shown;
        if (v == null || (v instanceof Double d && Double.isNaN(d))) {
            key = "";
            shown = "";
        } else if (v instanceof Long || v instanceof Integer) {
            key = v.toString();
            shown = String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        } else if (v instanceof Number n) {
            key = v.toString();
            shown = String.format(Locale.ROOT, "%.4f", n.doubleValue());
        } else {
            key = v.toString();
            shown = v.toString();
        }
        return "<td data-v=\"" + esc(key) + "\">" + esc(shown) + "</td>";
    }

    private static String png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static String anchor(String sweep) {
        return "sweep-" + sweep.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String esc(Object s) {
        return String.valueOf(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
