package org.reconvene.cli;

import org.reconvene.trial.TrialKey;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the options that set a trial key ({@code --tau}, {@code --epochs}, ...), served
 * from {@link TrialKey}, so that {@code prune}, {@code train} and a sweep file that leaves the key
 * out agree by construction. Options that set no trial key keep their own {@code defaultValue}.
 */
public final class TrialDefaults implements IDefaultValueProvider {

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        return TrialKey.byOption(option.longestName())
                .flatMap(TrialKey::defaultValue)
                .map(String::valueOf)
                .orElse(null);
    }
}
