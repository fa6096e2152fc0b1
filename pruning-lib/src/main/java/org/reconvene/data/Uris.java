package org.reconvene.data;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one canonical form of every location the platform stores, hashes or compares: dataset
 * URIs in trial configs, results roots, model directories.
 *
 * <p>Why one place: a trial's id hashes its data URI, so two spellings of one directory are two
 * different trials. {@link Path#toUri()} appends a {@code /} to a directory that exists, which
 * once made every trial id change between a sweep's first run (which created its data) and its
 * resume. The form here depends on the string alone, never on what exists on disk:
 * <ul>
 *   <li>a string without a scheme is a local path, resolved against a base directory (the
 *       working directory by default) and normalised ({@code .}, {@code ..}, repeated
 *       {@code /});</li>
 *   <li>local paths and {@code file:} URIs become {@code file:///abs/path}, percent-encoded as
 *       {@link Path#toUri()} encodes;</li>
 *   <li>other schemes keep their authority and path; scheme and host are lower-cased, the path
 *       normalised;</li>
 *   <li>no URI ends with {@code /}, except a file system's root.</li>
 * </ul>
 */
public final class Uris {

    private static final String SCHEME = "^[A-Za-z][A-Za-z0-9+.-]*:.*";

    private Uris() {}

    /** {@link #canonical(String, Path)} against the working directory. */
    public static String canonical(String uri) {
        return canonical(uri, Path.of("").toAbsolutePath());
    }

    /**
     * The canonical form of {@code uri}; a relative local path resolves against {@code baseDir}.
     *
     * @throws IllegalArgumentException if {@code uri} is blank or not a valid URI
     */
    public static String canonical(String uri, Path baseDir) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("empty path or URI");
        }
        String s = uri.trim();
        if (!s.matches(SCHEME) || s.matches("^[A-Za-z]:[\\\\/].*")) {
            return local(baseDir.resolve(s));
        }
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URI " + s + ": " + e.getReason(), e);
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            if (u.getPath() == null || u.getPath().isEmpty()) {
                throw new IllegalArgumentException("invalid file URI " + s + ": no path");
            }
            return local(Path.of(u.getPath()));
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : normalisePath(u.getRawPath());
        String authority = u.getRawAuthority();
        if (u.getHost() != null) {
            authority = (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@")
                    + u.getHost().toLowerCase(Locale.ROOT) + (u.getPort() < 0 ? "" : ":" + u.getPort());
        }
        StringBuilder out = new StringBuilder(scheme).append(':');
        if (authority != null) {
            out.append("//").append(authority);
        }
        out.append(path);
        if (u.getRawQuery() != null) {
            out.append('?').append(u.getRawQuery());
        }
        return out.toString();
    }

    private static String local(Path p) {
        String u = p.toAbsolutePath().normalize().toUri().toString();
        return stripTrailingSlash(u);
    }

    /** Removes {@code .} and {@code ..} segments, repeated and trailing slashes of an absolute path. */
    static String normalisePath(String rawPath) {
        String p = URI.create("x:" + (rawPath.startsWith("/") ? rawPath : "/" + rawPath)).normalize().getRawPath();
        p = p.replaceAll("/{2,}", "/");
        return stripTrailingSlash(p.isEmpty() ? "/" : p);
    }

    private static String stripTrailingSlash(String u) {
        int end = u.length();
        while (end > 1 && u.charAt(end - 1) == '/' && !u.substring(0, end).endsWith(":///")
                && !u.substring(0, end).endsWith("://")) {
            end--;
        }
        return u.substring(0, end);
    }
}
