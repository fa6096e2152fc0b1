package org.reconvene.cli;

import java.util.ListResourceBundle;
import java.util.Locale;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialKey;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of {@code prune} and {@code train} that set a trial key, read the way a sweep file's
 * point is: one loop over {@link TrialKey}'s declarations into a {@link TrialConfig.Builder}. Their
 * help texts come from the same declarations ({@link Help}, a resource bundle), their defaults from
 * {@link TrialDefaults}.
 */
final class TrialOptions {

    private TrialOptions() {}

    /** A builder with every option of {@code spec} that sets a trial key, at its parsed or default value. */
    static TrialConfig.Builder read(CommandSpec spec) {
        TrialConfig.Builder b = TrialConfig.builder();
        for (OptionSpec o : spec.options()) {
            TrialKey.byOption(o.longestName()).ifPresent(k -> {
                Object v = o.getValue();
                if (v != null) {
                    b.set(k, v);
                }
            });
        }
        return b;
    }

    /**
     * The help texts of the trial-key options, from {@link TrialKey#description()}: picocli looks
     * an option's description up under its longest name without the dashes.
     */
    public static final class Help extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return java.util.Arrays.stream(TrialKey.values()).filter(k -> k.option().isPresent()).map(k -> {
                String d = k.description();
                String text = Character.toUpperCase(d.charAt(0)) + d.substring(1)
                        + (k.type() == TrialKey.Type.BOOLEAN ? "." : " (default ${DEFAULT-VALUE}).");
                return new Object[] {k.option().get().replaceFirst("^-+", ""), text};
            }).toArray(Object[][]::new);
        }
    }

    /** The resource bundle's name, for {@code @Command(resourceBundle = ...)}. */
    static final String HELP = "org.reconvene.cli.TrialOptions$Help";

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
