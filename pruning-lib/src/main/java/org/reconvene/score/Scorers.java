package org.reconvene.score;

import java.util.List;

/** Looks scorers up by their config name. */
public final class Scorers {

    /** Names of every scorer, in docs/METHOD.md's order. */
    public static final List<String> NAMES = List.of("random", "magnitude", "snip", "grasp", "synflow");

    private Scorers() {}

    /** The scorer called {@code name}; an unknown name is an error listing the known ones. */
    public static Scorer get(String name) {
        switch (name) {
            case "random":
                return new RandomScorer();
            case "magnitude":
                return new MagnitudeScorer();
            case "snip":
                return new SnipScorer();
            case "grasp":
                return new GraspScorer();
            case "synflow":
                return new SynFlowScorer();
            default:
                throw new IllegalArgumentException(
                        "unknown scorer '" + name + "'; known: " + String.join(", ", NAMES));
        }
    }
}
