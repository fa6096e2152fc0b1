package org.reconvene.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.reconvene.sweep.SparkSessions;

/**
 * Finds a sweep or search file however the command was started: a local path (run directly, or
 * {@code spark-submit} in client mode), or a file shipped with {@code --files} (cluster mode, where
 * the driver runs elsewhere and the command names the file by its name alone).
 */
final class SubmittedFiles {

    private SubmittedFiles() {}

    /**
     * {@code file} as given when it exists; else the {@code spark.files} entry of that name when it
     * is readable here (the submitting machine's path); else the copy Spark fetched for the driver
     * ({@code SparkFiles}, which starts the session).
     *
     * @throws IllegalArgumentException naming every place looked in
     */
    static Path resolve(Path file, String what) {
        if (Files.exists(file)) {
            return file;
        }
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String shipped = System.getProperty("spark.files", "") + "," + System.getProperty("spark.yarn.dist.files", "");
        for (String entry : shipped.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            Path p = e.contains(":") ? Path.of(URI.create(e).getPath()) : Path.of(e);
            if (p.getFileName() != null && p.getFileName().toString().equals(name) && Files.isRegularFile(p)) {
                return p;
            }
            if (p.getFileName() != null && p.getFileName().toString().equals(name)) {
                // shipped from elsewhere: Spark fetches it for the driver when the session starts
                SparkSessions.create("reconvene", null);
                Path fetched = Path.of(org.apache.spark.SparkFiles.get(name));
                if (Files.isRegularFile(fetched)) {
                    return fetched;
                }
            }
        }
        throw new IllegalArgumentException("no " + what + " " + file + " (looked in " + Path.of("").toAbsolutePath()
                + (shipped.replace(",", "").isBlank() ? "" : " and among the files shipped with --files: " + shipped)
                + ")");
    }
}
