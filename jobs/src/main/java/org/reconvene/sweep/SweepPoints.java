package org.reconvene.sweep;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.reconvene.data.Uris;
import org.reconvene.model.ImportedArchitecture;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialKey;

/**
 * The points of a sweep file turned into trials: the keys a point may set, their defaults, and
 * the one loop that reads a point (key to value) into a validated {@link TrialConfig}.
 *
 * <p>Keys are {@link TrialKey}'s, the config columns of a result row. Values are checked for type
 * here and for range by the configs themselves; either failure names the key.
 */
final class SweepPoints {

    /** Every key with its default (null for model, dataset, method), from {@link TrialKey}. */
    static final Map<String, Object> DEFAULTS = TrialKey.defaults();

    private SweepPoints() {}

    /** Whether {@code key} is a trial key. */
    static boolean known(String key) {
        return TrialKey.byKey(key).filter(TrialKey::sweepKey).isPresent();
    }

    static Set<String> names() {
        return DEFAULTS.keySet();
    }

    /**
     * The trial at {@code point} (defaults filled in) reading data from {@code uri}; a model given
     * as an ONNX file's relative path resolves against {@code baseDir}, as data paths do.
     */
    static TrialConfig toTrial(String file, Map<String, Object> point, String uri, Path baseDir) {
        Reader r = new Reader(file, point);
        TrialConfig.Builder b = TrialConfig.builder().setDataUri(uri);
        for (TrialKey k : TrialKey.values()) {
            if (k.sweepKey()) {
                Object v = r.value(k);
                if (k == TrialKey.MODEL && ImportedArchitecture.isFile((String) v)) {
                    v = modelFile(file, point, baseDir);
                }
                try {
                    b.set(k, v);
                } catch (IllegalArgumentException e) {
                    // the key and its own message first: the value is named there, whatever the point's length
                    throw new SweepSpecException(file, k.key(), e.getMessage());
                }
            }
        }
        try {
            org.reconvene.model.Architectures.get(b.model());
        } catch (IllegalArgumentException e) {
            throw new SweepSpecException(file, TrialKey.MODEL.key(), e.getMessage());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new SweepSpecException(file, null, e.getMessage() + " in trial " + YamlLimits.brief(point));
        }
    }

    /** The canonical URI of the point's model file, as written (not lower-cased). */
    private static String modelFile(String file, Map<String, Object> point, Path baseDir) {
        try {
            return Uris.canonical(point.get(TrialKey.MODEL.key()).toString().strip(), baseDir);
        } catch (IllegalArgumentException e) {
            throw new SweepSpecException(file, TrialKey.MODEL.key(), e.getMessage());
        }
    }

    /** Typed access to a point's values, with errors naming the key. */
    private record Reader(String file, Map<String, Object> point) {
        /** The value of {@code k}, checked against its type. */
        Object value(TrialKey k) {
            return switch (k.type()) {
                case STRING -> string(k);
                case DOUBLE -> number(k);
                case LONG -> integer(k);
                case INT -> integer32(k);
                case BOOLEAN -> bool(k);
            };
        }

        Object raw(TrialKey k) {
            String key = k.key();
            Object v = point.get(key);
            if (v == null) {
                throw new SweepSpecException(file, key, "is required");
            }
            return v;
        }

        String string(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new SweepSpecException(file, key, "expected a string, got " + YamlLimits.brief(v));
            }
            return v.toString().trim().toLowerCase(Locale.ROOT);
        }

        double number(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            if (!(v instanceof Number)) {
                throw new SweepSpecException(file, key, "expected a number, got '" + YamlLimits.brief(v) + "'");
            }
            return ((Number) v).doubleValue();
        }

        long integer(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            Long x = SweepSpec.exactLong(v);
            if (x == null) {
                throw new SweepSpecException(file, key, "expected an integer that fits in 64 bits, got '"
                        + YamlLimits.brief(v) + "'");
            }
            return x;
        }

        /** An integer key held in an int: a value beyond its range is refused, never wrapped. */
        int integer32(TrialKey k) {
            long x = integer(k);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                throw new SweepSpecException(file, k.key(), "must be at most " + Integer.MAX_VALUE + ", got " + x);
            }
            return (int) x;
        }

        boolean bool(TrialKey k) {
            String key = k.key();
            Object v = raw(k);
            if (!(v instanceof Boolean)) {
                throw new SweepSpecException(file, key, "expected true or false, got '" + YamlLimits.brief(v) + "'");
            }
            return (Boolean) v;
        }
    }
}
