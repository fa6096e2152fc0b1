package org.reconvene.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.reconvene.engine.ComputePool;

/**
 * Finds the k highest of many float scores in linear time, with deterministic ties.
 *
 * <p>Global masking ranks every prunable weight of a network together (14.7 M for VGG-16), and
 * SynFlow does it 100 times, so sorting is too slow. Scores are mapped to unsigned 32-bit keys
 * that order like the floats; two histogram passes over 16-bit digits find the exact key of the
 * k-th highest score, and a final pass keeps everything above it plus the first ties in array
 * order (the arrays are given in layer order), which is docs/METHOD.md's tie rule. Entries whose
 * eligibility is 0 (SynFlow's already pruned weights) are never kept. The passes run on fixed
 * chunks in parallel; ties, rare with float scores, are then handed out chunk by chunk in order,
 * so the result does not depend on scheduling.
 */
final class TopKSelector {

    private static final int CHUNK = 1 << 20;
    private static final int BUCKETS = 1 << 16;
    /** Marks a tie at the threshold between the two passes of {@link #apply}. */
    private static final float TIE = -1f;

    private TopKSelector() {}

    /** The unsigned ordering key of a score; -0.0 and 0.0 share one key. */
    static int key(float f) {
        int bits = Float.floatToRawIntBits(f == 0f ? 0f : f);
        // Flip negatives entirely and positives' sign bit: unsigned order = float order.
        return bits < 0 ? ~bits : bits ^ 0x80000000;
    }

    /** The score of an ordering key: the inverse of {@link #key} (0.0 for the key of both zeros). */
    static float score(int key) {
        return Float.intBitsToFloat(key < 0 ? key ^ 0x80000000 : ~key);
    }

    private static final int NEG_INF_KEY = key(Float.NEGATIVE_INFINITY);

    /** A contiguous range of one array. */
    private record Chunk(int array, int from, int to) {}

    /** Result of a selection: the key of the k-th highest and how many ties at it to keep. */
    record Threshold(int key, long tiesToKeep, long selectable) {}

    private static List<Chunk> chunks(List<float[]> arrays) {
        List<Chunk> out = new ArrayList<>();
        for (int a = 0; a < arrays.size(); a++) {
            int n = arrays.get(a).length;
            for (int from = 0; from < n; from += CHUNK) {
                out.add(new Chunk(a, from, Math.min(n, from + CHUNK)));
            }
        }
        return out;
    }

    private static boolean selectable(float[] scores, float[] eligible, int j) {
        return (eligible == null || eligible[j] != 0f) && scores[j] != Float.NEGATIVE_INFINITY;
    }

    /** {@link #threshold(List, List, long)} with every entry eligible. */
    static Threshold threshold(List<float[]> arrays, long k) {
        return threshold(arrays, null, k);
    }

    /**
     * Locates the k-th highest selectable score; fewer than k are kept when fewer are selectable.
     * {@code eligible} (parallel to {@code arrays}, may be null) marks entries that may be kept.
     */
    static Threshold threshold(List<float[]> arrays, List<float[]> eligible, long k) {
        List<Chunk> chunks = chunks(arrays);
        long[] high = histogram(chunks, arrays, eligible, -1);
        long selectable = 0;
        for (long c : high) {
            selectable += c;
        }
        if (k <= 0 || selectable == 0) {
            return new Threshold(-1, 0, selectable); // unsigned max key: nothing is above it
        }
        if (k >= selectable) {
            return new Threshold(NEG_INF_KEY + 1, Long.MAX_VALUE, selectable);
        }
        long above = 0;
        int hb = BUCKETS - 1;
        for (; hb >= 0; hb--) {
            if (above + high[hb] >= k) {
                break;
            }
            above += high[hb];
        }
        long[] low = histogram(chunks, arrays, eligible, hb);
        int lb = BUCKETS - 1;
        for (; lb >= 0; lb--) {
            if (above + low[lb] >= k) {
                break;
            }
            above += low[lb];
        }
        return new Threshold((hb << 16) | lb, k - above, selectable);
    }

    /**
     * {@link #threshold(List, List, long)}, failing on a NaN score with the name of its array
     * ({@code names} parallel to {@code arrays}).
     */
    static Threshold threshold(List<String> names, List<float[]> arrays, List<float[]> eligible, long k) {
        try {
            return threshold(arrays, eligible, k);
        } catch (IllegalStateException e) {
            for (int a = 0; a < arrays.size(); a++) {
                for (float f : arrays.get(a)) {
                    if (Float.isNaN(f)) {
                        throw new IllegalStateException("scores of '" + names.get(a) + "' contain NaN");
                    }
                }
            }
            throw e;
        }
    }

    /** Counts keys by high 16 bits, or, with {@code highBucket >= 0}, by low bits within it. */
    private static long[] histogram(List<Chunk> chunks, List<float[]> arrays, List<float[]> eligible, int highBucket) {
        return ComputePool.call(() -> IntStream.range(0, chunks.size()).parallel().mapToObj(c -> {
            Chunk ch = chunks.get(c);
            float[] s = arrays.get(ch.array());
            float[] e = eligible == null ? null : eligible.get(ch.array());
            long[] h = new long[BUCKETS];
            for (int j = ch.from(); j < ch.to(); j++) {
                float f = s[j];
                if (Float.isNaN(f)) {
                    throw new IllegalStateException("NaN score");
                }
                if (!selectable(s, e, j)) {
                    continue;
                }
                int key = key(f);
                if (highBucket < 0) {
                    h[key >>> 16]++;
                } else if (key >>> 16 == highBucket) {
                    h[key & 0xFFFF]++;
                }
            }
            return h;
        }).reduce(new long[BUCKETS], (a, b) -> {
            long[] sum = new long[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                sum[i] = a[i] + b[i];
            }
            return sum;
        }));
    }

    /** {@link #apply(List, List, Threshold, List)} with every entry eligible. */
    static long apply(List<float[]> arrays, Threshold t, List<float[]> masks) {
        return apply(arrays, null, t, masks);
    }

    /**
     * Writes 1 for kept and 0 for pruned entries into {@code masks} (which may be the eligibility
     * arrays themselves: each entry's eligibility is read before it is written); ties at the
     * threshold go to the earliest entries in array order. Returns the number kept.
     */
    static long apply(List<float[]> arrays, List<float[]> eligible, Threshold t, List<float[]> masks) {
        List<Chunk> chunks = chunks(arrays);
        int thr = t.key() ^ 0x80000000; // signed compare of flipped keys = unsigned compare
        long[] tiesIn = new long[chunks.size()];
        long[] keptIn = new long[chunks.size()];
        ComputePool.run(() -> IntStream.range(0, chunks.size()).parallel().forEach(c -> {
            Chunk ch = chunks.get(c);
            float[] s = arrays.get(ch.array());
            float[] e = eligible == null ? null : eligible.get(ch.array());
            float[] m = masks.get(ch.array());
            long ties = 0;
            long kept = 0;
            for (int j = ch.from(); j < ch.to(); j++) {
                boolean ok = selectable(s, e, j);
                int sk = key(s[j]) ^ 0x80000000;
                if (ok && sk > thr) {
                    m[j] = 1f;
                    kept++;
                } else {
                    if (ok && sk == thr) {
                        ties++;
                        m[j] = TIE;
                    } else {
                        m[j] = 0f;
                    }
                }
            }
            tiesIn[c] = ties;
            keptIn[c] = kept;
        }));
        long kept = 0;
        for (long v : keptIn) {
            kept += v;
        }
        // Ties were marked TIE in the first pass (eligibility is consumed there, so masks may be
        // the eligibility arrays); hand out the ones to keep in array order, clear the others.
        long remaining = t.tiesToKeep();
        for (int c = 0; c < chunks.size(); c++) {
            if (tiesIn[c] == 0) {
                continue;
            }
            Chunk ch = chunks.get(c);
            float[] m = masks.get(ch.array());
            for (int j = ch.from(); j < ch.to(); j++) {
                if (m[j] == TIE) {
                    boolean keep = remaining > 0;
                    m[j] = keep ? 1f : 0f;
                    if (keep) {
                        remaining--;
                        kept++;
                    }
                }
            }
        }
        return kept;
    }
}
