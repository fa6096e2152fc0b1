package org.reconvene.mask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.reconvene.engine.ComputePool;

/**
 * 0/1 masks that only ever lose entries, re-selected round after round from new scores: the state
 * of an iterative scorer (SynFlow) between its rounds.
 *
 * <p>Each {@link #reselect} keeps the best {@code density} of all entries among those still kept,
 * exactly as {@code masker.selectInto(scores, masks, density, masks)} does (same scope, same tie
 * rule: layer order, then flat index; a NaN score anywhere is an error), entry for entry.
 * {@link #reselectByMagnitude} does the same for the scores' absolute values without
 * materialising them, so a caller whose scores are {@code |x|} can hand in {@code x}. The
 * difference from Masker is cost. The indices still kept are listed per array, so the selection
 * reads only those: over SynFlow's 100 rounds to density 0.02 that is a quarter of the entries on
 * average. It is the same two-digit radix search as {@link TopKSelector}, fused with the
 * compaction of the lists. Each round returns the indices it dropped, a few per cent of the live
 * ones, so a caller holding a copy of the masked values elsewhere (an engine) can repeat the step
 * by zeroing just those.
 *
 * <p>Lifecycle: created with all entries kept; one {@code reselect} per round; {@link #masks} are
 * the live arrays (updated in place, not copies), valid until the next {@code reselect}. Not
 * thread-safe; one scorer run owns it.
 */
public final class ShrinkingMasks {

    private static final int BUCKETS = 1 << 16;
    /** Kept-list entries per parallel task. */
    private static final int CHUNK = 1 << 19;
    /** The key of -Infinity: recorded, never selectable. */
    private static final int NEG_INF_KEY = TopKSelector.key(Float.NEGATIVE_INFINITY);

    private final MaskScope scope;
    private final List<String> names;
    private final float[][] masks;
    /** Per array, its kept indices ascending in {@code kept[a][0 .. count[a])}. */
    private final int[][] kept;
    private final int[] count;
    /** Per array, the ordering keys of the kept entries' scores this round, aligned with {@code kept}. */
    private final int[][] keys;
    /** Per array, the indices the last round dropped, in {@code dropped[a][0 .. droppedCount[a])}. */
    private final int[][] dropped;
    private final int[] droppedCount;
    private final long total;

    /** All-ones masks of the given sizes (in layer order), re-selected with {@code scope}. */
    public ShrinkingMasks(MaskScope scope, Map<String, Integer> sizes) {
        this.scope = scope;
        this.names = List.copyOf(sizes.keySet());
        this.masks = new float[names.size()][];
        this.kept = new int[names.size()][];
        this.count = new int[names.size()];
        this.keys = new int[names.size()][];
        this.dropped = new int[names.size()][];
        this.droppedCount = new int[names.size()];
        long n = 0;
        for (int a = 0; a < names.size(); a++) {
            int size = sizes.get(names.get(a));
            masks[a] = new float[size];
            Arrays.fill(masks[a], 1f);
            kept[a] = new int[size];
            Arrays.setAll(kept[a], i -> i);
            count[a] = size;
            keys[a] = new int[size];
            dropped[a] = new int[Math.min(size, 1024)];
            n += size;
        }
        this.total = n;
    }

    /** The masks, keyed by name in layer order: 1 kept, 0 pruned. */
    public Map<String, float[]> masks() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int a = 0; a < names.size(); a++) {
            out.put(names.get(a), masks[a]);
        }
        return out;
    }

    /**
     * Keeps the best {@code density} (of all entries) of {@code scores} among the entries still
     * kept; returns, per array, the indices this round dropped (ascending within each array).
     */
    public Map<String, int[]> reselect(Map<String, float[]> scores, double density) {
        return reselect(scores, density, false, false);
    }

    /**
     * {@link #reselect} on {@code |scores|}: entry for entry what {@code reselect} keeps when
     * handed the absolute values (so -Infinity counts as +Infinity, and -0 as 0). With
     * {@code knownFinite} the caller vouches that no score is NaN or infinite (SynFlow checks
     * that on the engine, where it costs a fraction of a pass over every entry in Java), and the
     * scan for NaN is skipped.
     */
    public Map<String, int[]> reselectByMagnitude(Map<String, float[]> scores, double density, boolean knownFinite) {
        return reselect(scores, density, true, knownFinite);
    }

    private Map<String, int[]> reselect(Map<String, float[]> scores, double density, boolean magnitude,
            boolean knownFinite) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in [0, 1], got " + density);
        }
        float[][] s = new float[names.size()][];
        for (int a = 0; a < names.size(); a++) {
            s[a] = scores.get(names.get(a));
            if (s[a] == null || s[a].length != masks[a].length) {
                throw new IllegalArgumentException("scores for '" + names.get(a) + "' missing or of another size");
            }
        }
        if (!knownFinite) {
            rejectNaN(s);
        }
        Arrays.fill(droppedCount, 0);
        if (scope == MaskScope.GLOBAL) {
            select(IntStream.range(0, names.size()).toArray(), s, Math.round(density * total), magnitude);
        } else {
            for (int a = 0; a < names.size(); a++) {
                select(new int[] {a}, s, Math.round(density * masks[a].length), magnitude);
            }
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        for (int a = 0; a < names.size(); a++) {
            int[] d = Arrays.copyOf(dropped[a], droppedCount[a]);
            Arrays.sort(d); // ties dropped after the compaction come last; callers get index order
            out.put(names.get(a), d);
        }
        return out;
    }

    /** A NaN score fails the selection even where the entry is already pruned, as in Masker. */
    private void rejectNaN(float[][] s) {
        int bad = ComputePool.call(() -> IntStream.range(0, s.length).parallel().filter(a -> {
            boolean nan = false;
            for (float f : s[a]) {
                nan |= f != f;
            }
            return nan;
        }).findFirst().orElse(-1));
        if (bad >= 0) {
            throw new IllegalStateException("scores of '" + names.get(bad) + "' contain NaN");
        }
    }

    /** A range of one array's kept list. */
    private record Part(int array, int from, int to) {}

    private List<Part> parts(int[] group) {
        List<Part> out = new ArrayList<>();
        for (int a : group) {
            for (int from = 0; from < count[a]; from += CHUNK) {
                out.add(new Part(a, from, Math.min(count[a], from + CHUNK)));
            }
        }
        return out;
    }

    /** One selection group (all arrays, or one): keeps its best {@code k}, compacts the lists. */
    private void select(int[] group, float[][] s, long k, boolean magnitude) {
        List<Part> parts = parts(group);
        int[] high = histogram(parts, s, -1, magnitude);
        long selectable = 0;
        for (int c : high) {
            selectable += c;
        }
        int thrKey;
        long tiesToKeep;
        if (k <= 0 || selectable == 0) {
            thrKey = -1; // unsigned maximum: nothing is above it, nothing ties with it
            tiesToKeep = 0;
        } else if (k >= selectable) {
            thrKey = TopKSelector.key(-Float.MAX_VALUE); // every selectable (not -Infinity) score
            tiesToKeep = Long.MAX_VALUE;
        } else {
            long above = 0;
            int hb = BUCKETS - 1;
            for (; above + high[hb] < k; hb--) {
                above += high[hb];
            }
            int[] low = histogram(parts, s, hb, magnitude);
            int lb = BUCKETS - 1;
            for (; above + low[lb] < k; lb--) {
                above += low[lb];
            }
            thrKey = (hb << 16) | lb;
            tiesToKeep = k - above;
        }
        int flipped = thrKey ^ 0x80000000; // signed compare of flipped keys = unsigned compare
        int[] ties = new int[group.length];
        ComputePool.run(() -> IntStream.range(0, group.length).parallel()
                .forEach(g -> ties[g] = compact(group[g], flipped)));
        long remaining = tiesToKeep;
        for (int g = 0; g < group.length; g++) {
            int a = group[g];
            long allowed = Math.min(ties[g], remaining);
            remaining -= allowed;
            if (allowed < ties[g]) {
                dropTiesAfter(a, flipped, allowed);
            }
        }
    }

    /**
     * Counts kept entries' keys by high 16 bits, reading the scores (of {@code |scores|} with
     * {@code magnitude}) and recording each kept entry's key in {@code keys}; or, with
     * {@code highBucket >= 0}, counts the recorded keys within that bucket by their low bits.
     * -Infinity is recorded but never counted: it is not selectable.
     */
    private int[] histogram(List<Part> parts, float[][] s, int highBucket, boolean magnitude) {
        return ComputePool.call(() -> parts.parallelStream().map(p -> {
            int[] h = new int[BUCKETS];
            int[] key = keys[p.array()];
            if (highBucket < 0) {
                float[] v = s[p.array()];
                int[] idx = kept[p.array()];
                for (int i = p.from(); i < p.to(); i++) {
                    float f = v[idx[i]];
                    int kf = TopKSelector.key(magnitude ? Math.abs(f) : f);
                    key[i] = kf;
                    if (kf != NEG_INF_KEY) {
                        h[kf >>> 16]++;
                    }
                }
            } else {
                for (int i = p.from(); i < p.to(); i++) {
                    int kf = key[i];
                    if (kf >>> 16 == highBucket && kf != NEG_INF_KEY) {
                        h[kf & 0xFFFF]++;
                    }
                }
            }
            return h;
        }).reduce((x, y) -> {
            int[] sum = new int[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                sum[i] = x[i] + y[i];
            }
            return sum;
        }).orElseGet(() -> new int[BUCKETS]));
    }

    /**
     * Keeps array {@code a}'s entries above the threshold and those tied with it, drops the rest
     * (mask 0) from its list, compacting the recorded keys alongside; returns the number of ties
     * kept.
     */
    private int compact(int a, int flipped) {
        int[] idx = kept[a];
        int[] key = keys[a];
        float[] m = masks[a];
        int n = count[a];
        int w = 0;
        int ties = 0;
        for (int i = 0; i < n; i++) {
            int j = idx[i];
            int kf = key[i];
            int signed = kf ^ 0x80000000;
            if (kf != NEG_INF_KEY && signed >= flipped) {
                key[w] = kf;
                idx[w++] = j;
                if (signed == flipped) {
                    ties++;
                }
            } else {
                m[j] = 0f;
                drop(a, j);
            }
        }
        count[a] = w;
        return ties;
    }

    /** Keeps only the first {@code allowed} ties (in index order) of array {@code a}. */
    private void dropTiesAfter(int a, int flipped, long allowed) {
        int[] idx = kept[a];
        int[] key = keys[a];
        int n = count[a];
        int w = 0;
        long seen = 0;
        for (int i = 0; i < n; i++) {
            int j = idx[i];
            if ((key[i] ^ 0x80000000) == flipped && seen++ >= allowed) {
                masks[a][j] = 0f;
                drop(a, j);
            } else {
                key[w] = key[i];
                idx[w++] = j;
            }
        }
        count[a] = w;
    }

    /** Records that array {@code a} dropped entry {@code j} this round. */
    private void drop(int a, int j) {
        if (droppedCount[a] == dropped[a].length) {
            dropped[a] = Arrays.copyOf(dropped[a], Math.min(masks[a].length, 2 * dropped[a].length));
        }
        dropped[a][droppedCount[a]++] = j;
    }
}
