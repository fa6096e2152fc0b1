package org.reconvene.cli;

import java.util.concurrent.Callable;
import org.reconvene.metrics.LayerProfile;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import picocli.CommandLine.Command;

/** Lists the model names, their input size and the datasets each supports. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models and the datasets each supports.")
final class ModelsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.printf("%-10s %-6s %-14s %s%n", "model", "input", "params(10cls)", "datasets");
        for (Architecture a : Architectures.all()) {
            ModelSpec spec = a.defaultSpec(10);
            long params = LayerProfile.of(spec, a.build(spec)).params();
            System.out.printf("%-10s %-6s %-14d %s%n", a.name(), a.inputSize() + "x" + a.inputSize(),
                    params, String.join(", ", a.datasets()));
        }
        return 0;
    }
}
