package org.reconvene.structured;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Picks the k highest-ranked channels of a group, returned in ascending index order. */
final class ChannelRanking {

    private ChannelRanking() {}

    /** Indices of the {@code k} largest values (ties to the lower index), sorted ascending. */
    static int[] top(double[] value, int k) {
        int[] idx = IntStream.range(0, value.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -value[i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
        Arrays.sort(idx);
        return idx;
    }
}
