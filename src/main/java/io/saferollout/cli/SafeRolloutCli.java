package io.saferollout.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `saferollout` command: the operator, the local lab and the offline checks in one binary. */
@Command(
    name = "saferollout",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Makes Kubernetes HTTP service rollouts lose zero requests.",
    subcommands = {RunCommand.class, DemoCommand.class, LintCommand.class, HardenCommand.class, ExplainCommand.class,
        VerifyCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class SafeRolloutCli {
  /** Exit code for bad input: unknown options, malformed files, values out of range. */
  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** As {@link #execute(String...)}, writing to {@code out} and {@code err}: how tests capture output. */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  private static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SafeRolloutCli());
    cli.setExecutionExceptionHandler(new CliErrors());
    cli.setParameterExceptionHandler(new CliErrors());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }
}
