package org.reconvene.data;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * Shared file-system plumbing for the data package: turns a dataset URI into a Hadoop file system
 * and path, and reads files with error messages that always name the path.
 *
 * <p>Stateless; every method is static. File systems come from Hadoop's cache and are never closed
 * here, because closing a cached instance would break every other user of the same URI in the JVM.
 */
final class HadoopFiles {

    /** A resolved dataset location: the file system to use and the fully qualified path in it. */
    record Location(FileSystem fs, Path path) {
        /** The qualified path as a string, used in every error message. */
        String uri() {
            return path.toString();
        }
    }

    private HadoopFiles() {
    }

    /**
     * Resolves {@code uri} for reading. A string without a scheme is a local path (relative paths
     * against the working directory), regardless of {@code fs.defaultFS}, so that a bare path on a
     * cluster node never silently points into HDFS.
     */
    static Location resolve(String uri, Configuration conf) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("dataset URI is empty");
        }
        Configuration c = conf == null ? new Configuration() : conf;
        URI canonical = URI.create(Uris.canonical(uri));
        try {
            FileSystem fs = "file".equals(canonical.getScheme()) ? FileSystem.getLocal(c) : FileSystem.get(canonical, c);
            return new Location(fs, fs.makeQualified(new Path(canonical)));
        } catch (UnsupportedFileSystemException e) {
            throw new IllegalArgumentException("no Hadoop file system for the scheme of " + uri
                    + " (" + e.getMessage() + "); the matching Hadoop connector must be on the classpath", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open file system for " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Resolves {@code uri} for writing. On the local file system this bypasses Hadoop's checksum
     * layer so generated datasets contain exactly the documented files and no {@code .crc} side
     * files.
     */
    static Location resolveForWrite(String uri, Configuration conf) {
        Location loc = resolve(uri, conf);
        if (loc.fs() instanceof LocalFileSystem local) {
            return new Location(local.getRawFileSystem(), loc.path());
        }
        return loc;
    }

    /** The status of {@code p}, or {@code null} when it does not exist. */
    static FileStatus statusOrNull(FileSystem fs, Path p) {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw io("cannot stat", p, e);
        }
    }

    static boolean isFile(FileSystem fs, Path p) {
        FileStatus st = statusOrNull(fs, p);
        return st != null && st.isFile();
    }

    static boolean isDirectory(FileSystem fs, Path p) {
        FileStatus st = statusOrNull(fs, p);
        return st != null && st.isDirectory();
    }

    /** Length of a file that must exist; a missing path or a directory is bad input. */
    static long requireFileLength(FileSystem fs, Path p) {
        FileStatus st = statusOrNull(fs, p);
        if (st == null) {
            throw new IllegalArgumentException("missing file " + p);
        }
        if (!st.isFile()) {
            throw new IllegalArgumentException("expected a file but found a directory: " + p);
        }
        return st.getLen();
    }

    /** Fails with a message naming {@code p} unless it is an existing directory. */
    static void requireDirectory(FileSystem fs, Path p) {
        FileStatus st = statusOrNull(fs, p);
        if (st == null) {
            throw new IllegalArgumentException("missing directory " + p);
        }
        if (!st.isDirectory()) {
            throw new IllegalArgumentException("expected a directory but found a file: " + p);
        }
    }

    /**
     * Lists the visible children of a directory sorted by name. Names starting with '.' or '_' are
     * skipped, following the Hadoop convention for checksum files and job markers such as
     * {@code _SUCCESS}.
     */
    static List<FileStatus> listVisible(FileSystem fs, Path dir) {
        FileStatus[] all;
        try {
            all = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("missing directory " + dir, e);
        } catch (IOException e) {
            throw io("cannot list", dir, e);
        }
        List<FileStatus> out = new ArrayList<>(all.length);
        for (FileStatus st : all) {
            String name = st.getPath().getName();
            if (!name.startsWith(".") && !name.startsWith("_")) {
                out.add(st);
            }
        }
        out.sort(Comparator.comparing(st -> st.getPath().getName()));
        return out;
    }

    /** Names of the visible children, for error messages that say what was found instead. */
    static List<String> childNames(FileSystem fs, Path dir) {
        List<String> names = new ArrayList<>();
        for (FileStatus st : listVisible(fs, dir)) {
            names.add(st.getPath().getName() + (st.isDirectory() ? "/" : ""));
        }
        return names;
    }

    static FSDataInputStream open(FileSystem fs, Path p) {
        try {
            return fs.open(p);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("missing file " + p, e);
        } catch (IOException e) {
            throw io("cannot open", p, e);
        }
    }

    /** Whole content of a small file (text metadata, one compressed image). */
    static byte[] readAll(FileSystem fs, Path p) {
        try (InputStream in = open(fs, p)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw io("cannot read", p, e);
        }
    }

    /** Lines of a UTF-8 text file, trimmed, with empty lines kept so callers can report line numbers. */
    static List<String> readLines(FileSystem fs, Path p) {
        String text = new String(readAll(fs, p), StandardCharsets.UTF_8);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r?\n", -1)));
        // A trailing newline produces one empty element that is not a real line.
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** Non-empty trimmed lines of a text file, e.g. a list of class names. */
    static List<String> readNonEmptyLines(FileSystem fs, Path p) {
        List<String> out = new ArrayList<>();
        for (String line : readLines(fs, p)) {
            String t = line.strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    static UncheckedIOException io(String what, Path p, IOException e) {
        return new UncheckedIOException(what + " " + p + ": " + e.getMessage(), e);
    }
}
