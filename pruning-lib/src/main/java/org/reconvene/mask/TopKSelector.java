package org.reconvene.mask;

import java.util.List;

/**
 * Finds the k highest of many float scores in linear time, with deterministic ties.
 *
 * <p>Global masking ranks every prunable weight of a network together (14.7 M for VGG-16), and
 * SynFlow does it 100 times, so sorting is too slow. Scores are mapped to unsigned 32-bit keys
 * that order like the floats; two histogram passes over 16-bit digits find the exact key of the
 * k-th highest score, and a final pass keeps everything above it plus the first ties in array
 * order (the arrays are given in layer order), which is METHOD.md's tie rule. {@code -Infinity}
 * marks weights that must never be kept.
 */
final class TopKSelector {

    private TopKSelector() {}

    /** The unsigned ordering key of a score; -0.0 and 0.0 share one key. */
    static int key(float f) {
        int bits = Float.floatToRawIntBits(f == 0f ? 0f : f);
        // Flip negatives entirely and positives' sign bit: unsigned order = float order.
        return bits < 0 ? ~bits : bits ^ 0x80000000;
    }

    private static final int NEG_INF_KEY = key(Float.NEGATIVE_INFINITY);

    /** Result of a selection: the key of the k-th highest and how many ties at it to keep. */
    record Threshold(int key, long tiesToKeep, long selectable) {}

    /**
     * Locates the k-th highest of {@code arrays}; {@code -Infinity} entries are never selected,
     * so fewer than k may be kept when fewer are selectable.
     */
    static Threshold threshold(List<float[]> arrays, long k) {
        long selectable = 0;
        long[] high = new long[1 << 16];
        for (float[] a : arrays) {
            for (float f : a) {
                if (Float.isNaN(f)) {
                    throw new IllegalStateException("NaN score");
                }
                int key = key(f);
                if (key != NEG_INF_KEY) {
                    high[key >>> 16]++;
                    selectable++;
                }
            }
        }
        if (k <= 0 || selectable == 0) {
            return new Threshold(-1, 0, selectable); // nothing kept: unsigned max key, no ties
        }
        if (k >= selectable) {
            // keep every selectable entry: threshold just above -Infinity
            return new Threshold(NEG_INF_KEY + 1, Long.MAX_VALUE, selectable);
        }
        long above = 0;
        int hb = (1 << 16) - 1;
        for (; hb >= 0; hb--) {
            if (above + high[hb] >= k) {
                break;
            }
            above += high[hb];
        }
        long[] low = new long[1 << 16];
        for (float[] a : arrays) {
            for (float f : a) {
                int key = key(f);
                if (key >>> 16 == hb && key != NEG_INF_KEY) {
                    low[key & 0xFFFF]++;
                }
            }
        }
        int lb = (1 << 16) - 1;
        for (; lb >= 0; lb--) {
            if (above + low[lb] >= k) {
                break;
            }
            above += low[lb];
        }
        return new Threshold((hb << 16) | lb, k - above, selectable);
    }

    /**
     * Writes 1 for kept and 0 for pruned entries of each array into {@code masks}, walking
     * arrays in order so that ties at the threshold go to the earliest entries.
     */
    static long apply(List<float[]> arrays, Threshold t, List<float[]> masks) {
        long ties = t.tiesToKeep();
        long kept = 0;
        int thr = t.key() ^ 0x80000000; // signed compare of flipped keys = unsigned compare
        for (int i = 0; i < arrays.size(); i++) {
            float[] a = arrays.get(i);
            float[] m = masks.get(i);
            for (int j = 0; j < a.length; j++) {
                int key = key(a[j]);
                int sk = key ^ 0x80000000;
                boolean keep;
                if (key == NEG_INF_KEY) {
                    keep = false;
                } else if (sk > thr) {
                    keep = true;
                } else if (sk == thr && ties > 0) {
                    keep = true;
                    ties--;
                } else {
                    keep = false;
                }
                m[j] = keep ? 1f : 0f;
                if (keep) {
                    kept++;
                }
            }
        }
        return kept;
    }
}
