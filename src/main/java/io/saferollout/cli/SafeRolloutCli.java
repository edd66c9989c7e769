package io.saferollout.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `saferollout` command: the operator, the local lab and the offline checks in one binary. */
@Command(
    name = "saferollout",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Makes Kubernetes HTTP service rollouts lose zero requests.",
    subcommands = {RunCommand.class, DemoCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class SafeRolloutCli {
  /** Exit code for bad input: unknown options, malformed files, values out of range. */
  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new SafeRolloutCli());
    cli.setExecutionExceptionHandler(new CliErrors());
    cli.setParameterExceptionHandler(new CliErrors());
    return cli.execute(args);
  }
}
