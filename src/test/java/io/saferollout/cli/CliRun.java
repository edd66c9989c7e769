package io.saferollout.cli;

import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** One run of the CLI with its output captured, as a shell would see it. */
record CliRun(int exitCode, String out, String err) {

  /**
   * Writers built as picocli builds its defaults (buffered, flushed on println only), so output a
   * command forgets to flush is missing here as it would be in a terminal.
   */
  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SafeRolloutCli.execute(writer(out), writer(err), args);
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static PrintWriter writer(ByteArrayOutputStream bytes) {
    return new PrintWriter(
        new BufferedWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8)), true);
  }

  /** Runs with {@code stdin} as standard input (for the {@code -} path). */
  static synchronized CliRun withStdin(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      return of(args);
    } finally {
      System.setIn(saved);
    }
  }
}
