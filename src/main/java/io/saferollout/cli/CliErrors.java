package io.saferollout.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns bad input into one clear line and exit code 2 instead of a stack trace. Commands throw
 * {@link BadInputException} for input they reject; anything else is unexpected and reported with
 * its cause chain (still without a stack trace unless SAFEROLLOUT_DEBUG is set).
 */
final class CliErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    cmd.getErr().println("saferollout: " + ex.getMessage());
    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    return SafeRolloutCli.EXIT_BAD_INPUT;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    if (System.getenv("SAFEROLLOUT_DEBUG") != null) {
      ex.printStackTrace(cmd.getErr());
    }
    if (ex instanceof BadInputException) {
      cmd.getErr().println("saferollout: " + ex.getMessage());
      return SafeRolloutCli.EXIT_BAD_INPUT;
    }
    StringBuilder msg = new StringBuilder("saferollout: ").append(describe(ex));
    for (Throwable c = ex.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      msg.append("\n  caused by: ").append(describe(c));
    }
    cmd.getErr().println(msg);
    return 1;
  }

  private static String describe(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }
}
