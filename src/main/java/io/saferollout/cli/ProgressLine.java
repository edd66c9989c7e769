package io.saferollout.cli;

import io.saferollout.lab.scenario.RunProgress;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * A live line on stderr while runs go: rewritten in place on a terminal, and on anything else (a CI
 * log, a pipe) printed again only when a run's phase changes, so logs stay short.
 */
final class ProgressLine {

  private static final long REFRESH_MILLIS = 250;

  private final PrintWriter err;
  private final boolean terminal = System.console() != null;
  private Thread thread;
  private volatile boolean running;

  ProgressLine(PrintWriter err) {
    this.err = err;
  }

  synchronized void follow(Supplier<List<RunProgress>> source) {
    stop();
    running = true;
    thread =
        new Thread(
            () -> {
              String lastPhases = "";
              int width = 0;
              while (running) {
                List<RunProgress> now = source.get();
                String line = DemoCommand.describe(now);
                if (terminal) {
                  err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                  width = line.length();
                  err.flush();
                } else {
                  String phases = now.stream().map(RunProgress::phase).toList().toString();
                  if (!phases.equals(lastPhases)) {
                    err.println(line);
                    err.flush();
                    lastPhases = phases;
                  }
                }
                try {
                  Thread.sleep(REFRESH_MILLIS);
                } catch (InterruptedException e) {
                  break;
                }
              }
              if (terminal) {
                err.println("\r" + DemoCommand.describe(source.get()) + " ".repeat(width));
                err.flush();
              }
            },
            "saferollout-demo-progress");
    thread.setDaemon(true);
    thread.start();
  }

  synchronized void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }
}
