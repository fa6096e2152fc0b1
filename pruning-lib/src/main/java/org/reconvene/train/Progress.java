package org.reconvene.train;

/**
 * Receives how far a long piece of work has come, in units it names (batches, trials), so that a
 * caller can show a bar, log a line or ignore it. The library only counts; showing is the
 * caller's (the CLI shows a bar on a terminal and periodic log lines elsewhere).
 */
@FunctionalInterface
public interface Progress {

    /** Ignores every update. */
    Progress NONE = (done, total) -> {};

    /** {@code done} of {@code total} units are finished; called from the working thread. */
    void update(long done, long total);
}
