package io.saferollout.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `saferollout` command: the operator, the local lab and the offline checks in one binary. */
@Command(
    name = "saferollout",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Makes Kubernetes HTTP service rollouts lose zero requests.")
public final class SafeRolloutCli {
  /** Exit code for bad input: unknown options, malformed files, values out of range. */
  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /**
   * As {@link #execute(String...)}, writing to {@code out} and {@code err}: how tests capture
   * output.
   */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  private static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SafeRolloutCli());
    cli.addSubcommand(new RunCommand());
    // Present in the full CLI (target/saferollout.jar), absent from the operator's artifact.
    for (LabCommand command :
        ServiceLoader.load(LabCommand.class, SafeRolloutCli.class.getClassLoader())) {
      cli.addSubcommand(command);
    }
    cli.addSubcommand(new LintCommand());
    cli.addSubcommand(new HardenCommand());
    cli.addSubcommand(new ExplainCommand());
    cli.addSubcommand(new VerifyCommand());
    cli.addSubcommand(new VersionCommand());
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setExecutionExceptionHandler(new CliErrors());
    cli.setParameterExceptionHandler(new CliErrors());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }
}
