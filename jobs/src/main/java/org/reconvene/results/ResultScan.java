package org.reconvene.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link ResultTable#scan} found under a results location: the readable rows, the files that
 * are not readable rows, and staging files left by interrupted commits.
 *
 * @param root the canonical results location
 * @param rows one entry per readable result file
 * @param problems files Spark would read that are not readable result rows
 * @param staging staging files (invisible to readers) that a crashed writer left
 */
public record ResultScan(String root, List<RowFile> rows, List<Problem> problems, List<String> staging) {

    /**
     * One readable result file and the fields that identify its row; {@code rung} only for a
     * search's rows. {@code values} holds every scalar column of the row that is set, by name, so
     * that small tables can be shown without starting Spark.
     */
    public record RowFile(String path, String sweepId, String trialId, String status, Integer threads,
            String finished, Integer rung, Map<String, Object> values) {

        /** Whether the file is named after the trial (and rung) it holds, as every committed row is. */
        public boolean named() {
            return path.endsWith("/" + ResultTable.rowName(trialId, rung) + ".parquet");
        }
    }

    /** A file that is not a readable result row, and why. */
    public record Problem(String path, String reason) {}

    /** The paths of the readable rows, for Spark. */
    public List<String> paths() {
        return rows.stream().map(RowFile::path).toList();
    }

    /**
     * trial id to status of the rows of one sweep, as resume needs them. A trial whose only file
     * is damaged is absent here, so it counts as missing and is run again.
     */
    public Map<String, String> statuses() {
        Map<String, String> out = new LinkedHashMap<>();
        for (RowFile r : rows) {
            out.merge(r.trialId(), r.status(), (a, b) -> "OK".equals(a) ? a : b);
        }
        return out;
    }

    /**
     * Rows that hold the same trial (and rung) within one sweep (copies of a row under another
     * name): sweep/row name to the files holding it. A search's rungs of one trial are rows of
     * their own, not duplicates; the same trial in two sweeps is not listed here either (see
     * {@link #sharedAcrossSweeps}).
     */
    public Map<String, List<String>> duplicates() {
        Map<String, List<String>> byKey = new TreeMap<>();
        for (RowFile r : rows) {
            byKey.computeIfAbsent(r.sweepId() + "/" + ResultTable.rowName(r.trialId(), r.rung()),
                    k -> new ArrayList<>()).add(r.path());
        }
        byKey.values().removeIf(l -> l.size() < 2);
        return byKey;
    }

    /** How many trial ids have rows in more than one sweep (reports count each once). */
    public long sharedAcrossSweeps() {
        Map<String, java.util.Set<String>> sweeps = new LinkedHashMap<>();
        for (RowFile r : rows) {
            sweeps.computeIfAbsent(r.trialId(), k -> new java.util.HashSet<>()).add(r.sweepId());
        }
        return sweeps.values().stream().filter(s -> s.size() > 1).count();
    }

    /** Whether anything is wrong: unreadable or foreign files, duplicates, misnamed rows, stale staging. */
    public boolean healthy() {
        return problems.isEmpty() && staging.isEmpty() && duplicates().isEmpty()
                && rows.stream().allMatch(RowFile::named);
    }

    /** One warning line per problem file, for logs and the CLI. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (Problem p : problems) {
            out.add("skipping " + p.path() + ": " + p.reason());
        }
        return out;
    }
}
