package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The progress line logged where no terminal is attached: count, share, rate and ETA. */
class ConsoleProgressTest {

    @Test
    void aLineHasCountShareRateAndEta() {
        try (ConsoleProgress p = ConsoleProgress.open("train", "batches")) {
            assertEquals("train: 50/200 batches (25.0%), 5.00 batches/s, ETA 30 s", p.line(50, 200, 10.0));
            assertEquals("train: 0/200 batches (0.0%), 0.00 batches/s, ETA unknown", p.line(0, 200, 0.0));
        }
    }
}
