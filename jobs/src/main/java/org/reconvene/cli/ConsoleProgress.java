package org.reconvene.cli;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.reconvene.train.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a long command's progress: a bar with rate and ETA when standard error is a terminal, a
 * log line every {@link #LOG_EVERY} otherwise (CI logs, nohup, Spark drivers under a scheduler).
 *
 * <p>Lifecycle: open it around the work, pass it where the library takes a {@link Progress}, and
 * close it when the work ends; closing draws the final state of the bar and releases the terminal.
 */
final class ConsoleProgress implements Progress, AutoCloseable {

    /** Under org.reconvene, so the CLI's logging configuration lets its INFO lines through. */
    private static final Logger LOG = LoggerFactory.getLogger("org.reconvene.progress");
    /** How often a line is logged when there is no terminal. */
    static final Duration LOG_EVERY = Duration.ofSeconds(30);

    private final String task;
    private final String unit;
    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private long lastLogNanos = startNanos;

    private ConsoleProgress(String task, String unit, boolean terminal) {
        this.task = task;
        this.unit = unit;
        this.bar = terminal ? new ProgressBarBuilder().setTaskName(task).setUnit(" " + unit, 1).showSpeed()
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build() : null;
    }

    /** A reporter for {@code task}, counting {@code unit}s; a bar only when a terminal is attached. */
    static ConsoleProgress open(String task, String unit) {
        return new ConsoleProgress(task, unit, terminal());
    }

    /** Whether a terminal is attached (a bar is drawn rather than lines logged). */
    static boolean terminal() {
        return System.console() != null;
    }

    @Override
    public void update(long done, long total) {
        if (bar != null) {
            bar.maxHint(total);
            bar.stepTo(done);
            return;
        }
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY.toNanos() || done == total) {
            lastLogNanos = now;
            LOG.info(line(done, total, (now - startNanos) / 1e9));
        }
    }

    /** {@code task: done/total unit (pct), rate unit/s, ETA s}. */
    String line(long done, long total, double elapsedSeconds) {
        double rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
        String eta = rate > 0 ? String.format("%.0f s", (total - done) / rate) : "unknown";
        return String.format("%s: %d/%d %s (%.1f%%), %.2f %s/s, ETA %s", task, done, total, unit,
                total > 0 ? 100.0 * done / total : 0, rate, unit, eta);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
