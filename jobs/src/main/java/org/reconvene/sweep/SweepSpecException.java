package org.reconvene.sweep;

/** A sweep file that cannot be run: the message names the file and the offending key or value. */
public final class SweepSpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final String file;
    private final String key;
    private final String problem;

    /** An error in {@code file} at {@code key}. */
    public SweepSpecException(String file, String key, String problem) {
        super(file + ": " + (key == null ? "" : "key '" + key + "': ") + problem);
        this.file = file;
        this.key = key;
        this.problem = problem;
    }

    /** The key named, or null for the file as a whole. */
    public String key() {
        return key;
    }

    /**
     * The same error under another key: a search file's {@code space} is checked as a sweep's
     * {@code random.axes} or {@code grid}, and its errors must name the search file's own keys.
     */
    public SweepSpecException rekeyed(String fromPrefix, String toPrefix) {
        if (key == null || !key.startsWith(fromPrefix)) {
            return this;
        }
        return new SweepSpecException(file, toPrefix + key.substring(fromPrefix.length()), problem);
    }
}
