package org.reconvene.sweep;

/** A sweep file that cannot be run: the message names the file and the offending key or value. */
public final class SweepSpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** An error in {@code file} at {@code key}. */
    public SweepSpecException(String file, String key, String problem) {
        super(file + ": " + (key == null ? "" : "key '" + key + "': ") + problem);
    }
}
