package org.reconvene.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.reconvene.trial.TrialKey;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class TrialDefaultsTest {

    /** Every option a key names exists in prune or train, and shows and uses the key's default. */
    @Test
    void optionsOfTrialKeysTakeTheirDefaultsFromTheDeclarations() {
        CommandLine prune = new CommandLine(new PruneCommand());
        CommandLine train = new CommandLine(new TrainCommand());
        for (TrialKey k : TrialKey.values()) {
            if (k.option().isEmpty()) {
                continue;
            }
            String name = k.option().get();
            int found = 0;
            for (CommandLine c : new CommandLine[] {prune, train}) {
                OptionSpec o = c.getCommandSpec().findOption(name);
                if (o != null) {
                    found++;
                    if (k.defaultValue().isPresent()) {
                        assertEquals(String.valueOf(k.defaultValue().get()), o.defaultValueString(),
                                c.getCommandName() + " " + name);
                    }
                    // the help text is the declaration's description
                    String help = String.join(" ", o.description());
                    assertTrue(help.toLowerCase(java.util.Locale.ROOT).contains(k.description().toLowerCase(
                            java.util.Locale.ROOT)), c.getCommandName() + " " + name + ": " + help);
                }
            }
            assertTrue(found > 0, name + " (" + k.key() + ") is an option of neither prune nor train");
        }
    }

    @Test
    void parsedValuesWithoutTheOptionAreTheDefaults() {
        PruneCommand p = new PruneCommand();
        new CommandLine(p).parseArgs("--model", "vgg16", "--dataset", "cifar10", "--out", "x");
        assertEquals(TrialKey.PSE_TAU.defaultValue().orElseThrow(), p.tau);
        assertEquals(TrialKey.SPARSITY.defaultValue().orElseThrow(), p.sparsity);
        assertEquals(TrialKey.LATENCY_RUNS.defaultValue().orElseThrow(), p.latencyRuns);
    }
}
