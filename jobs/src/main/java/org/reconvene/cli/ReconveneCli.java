package org.reconvene.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code reconvene} command line: one entry point whose subcommands inspect models, make
 * data, train, prune, run sweeps, report on their results and install the notebooks' kernel.
 *
 * <p>Run it through {@code bin/reconvene}, which builds the project on first use and passes the
 * JVM flags DJL and Spark need. Exit codes: 0 success, 1 a failure while running, 2 bad usage
 * or bad input (an unknown option, a missing or malformed file, an out-of-range value).
 */
@Command(
        name = "reconvene",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Structured pruning at initialization: models, data, training, pruning, sweeps.",
        subcommands = {
            ModelsCommand.class,
            InspectCommand.class,
            DatagenCommand.class,
            TrainCommand.class,
            PruneCommand.class,
            SweepCommand.class,
            SearchCommand.class,
            ReportCommand.class,
            ResultsCommand.class,
            InferCommand.class,
            ExportCommand.class,
            KernelCommand.class,
            DoctorCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class ReconveneCli implements Runnable {

    /** Exit code of a failure while running. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad usage or bad input. */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** The configured command line, with the exit-code mapping of bad input. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new ReconveneCli());
        cl.setExecutionExceptionHandler(
                (e, cmd, parseResult) -> {
                    if (e instanceof IllegalArgumentException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return EXIT_BAD_INPUT;
                    }
                    cmd.getErr().println("failed: " + e);
                    e.printStackTrace(cmd.getErr());
                    return EXIT_FAILURE;
                });
        return cl;
    }
}
