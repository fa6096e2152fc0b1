package org.reconvene.structured;

import java.util.Map;
import java.util.Set;
import org.reconvene.model.Network;

/**
 * A structurally pruned network and how it was made: the kept channel indices of each narrowed
 * group and the convolutions rebuilt dense. The caller owns and closes the network.
 */
public record Rebuild(Network network, Map<String, int[]> kept, Set<String> rebuilt) {}
