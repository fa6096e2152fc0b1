package org.reconvene.score;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * A scorer's output: a score array per weight (row-major, the weight's shape), in layer order,
 * and for iterative scorers the masks they arrived at.
 */
public final class Scores {

    private final Map<String, float[]> values;
    private final Map<String, float[]> masks;

    /** Scores without masks (the masker will choose). */
    public Scores(Map<String, float[]> values) {
        this(values, null);
    }

    /** Scores together with the masks an iterative scorer ended on. */
    public Scores(Map<String, float[]> values, Map<String, float[]> masks) {
        this.values = Collections.unmodifiableMap(values);
        this.masks = masks == null ? null : Collections.unmodifiableMap(masks);
    }

    /** Scores keyed by weight name. */
    public Map<String, float[]> values() {
        return values;
    }

    /** The scorer's own final masks, if it is iterative. */
    public Optional<Map<String, float[]>> masks() {
        return Optional.ofNullable(masks);
    }
}
