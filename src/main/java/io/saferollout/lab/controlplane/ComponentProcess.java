package io.saferollout.lab.controlplane;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control-plane component that kube-api-test does not start (kube-controller-manager,
 * kube-scheduler): its process, its output logged at TRACE under {@code
 * io.saferollout.lab.controlplane.<name>}, and the last lines kept for the message when it fails.
 */
final class ComponentProcess implements AutoCloseable {

  private static final int KEPT_LINES = 40;

  private final String name;
  private final Process process;
  private final Deque<String> tail = new ArrayDeque<>();
  private final Thread reader;

  private ComponentProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Logger log = LoggerFactory.getLogger(ComponentProcess.class.getPackageName() + "." + name);
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  log.trace("{}", line);
                  synchronized (tail) {
                    if (tail.size() == KEPT_LINES) {
                      tail.removeFirst();
                    }
                    tail.addLast(line);
                  }
                }
              } catch (IOException e) {
                // The process ended and took its pipe with it.
              }
            },
            "control-plane-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  static ComponentProcess start(String name, Path binary, List<String> flags, Path workDir) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(flags);
    try {
      Process process =
          new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
      return new ComponentProcess(name, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (" + binary + ")", e);
    }
  }

  String name() {
    return name;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines it printed, for a message that says why it failed. */
  String lastOutput() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  void stop(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
      reader.join(grace.toMillis());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
