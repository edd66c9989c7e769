package io.saferollout.cli;

import io.saferollout.lab.controlplane.KubernetesBinaries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What {@code saferollout demo --control-plane real} needs before a lab starts: the Kubernetes
 * binaries {@code controlplane/build.sh} builds. Missing, they are built when the script is in the
 * working directory (a clone of this repository), with a progress line, as the {@code
 * ./saferollout} launcher builds the jar; otherwise the demo stops with exit code 2, naming what is
 * missing and the command that builds it.
 */
final class ControlPlaneBuild {

  /** Building Kubernetes from source takes minutes on a small machine; bounded all the same. */
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(60);

  private ControlPlaneBuild() {}

  /**
   * @throws BadInputException when the binaries are missing and cannot be built from here
   */
  static KubernetesBinaries ensureBuilt(PrintWriter err, Path workingDirectory) {
    KubernetesBinaries.Lookup lookup = KubernetesBinaries.locate();
    if (lookup.found()) {
      return lookup.binaries().orElseThrow();
    }
    Path script = workingDirectory.resolve(KubernetesBinaries.BUILD_COMMAND);
    if (!Files.isExecutable(script)) {
      throw new BadInputException(
          "--control-plane real: "
              + lookup.problem()
              + " (run it from a clone of the SafeRollout repository; "
              + script
              + " is not here)");
    }
    err.printf(
        "saferollout demo: building the Kubernetes %s control plane (%s; first use, takes"
            + " minutes)...%n",
        KubernetesBinaries.PINNED_VERSION, KubernetesBinaries.BUILD_COMMAND);
    err.flush();
    run(err, script, workingDirectory);
    KubernetesBinaries.Lookup after = KubernetesBinaries.locate();
    return after
        .binaries()
        .orElseThrow(
            () ->
                new BadInputException(
                    "--control-plane real: " + script + " finished, but " + after.problem()));
  }

  private static void run(PrintWriter err, Path script, Path workingDirectory) {
    Process process;
    try {
      process =
          new ProcessBuilder(script.toString())
              .directory(workingDirectory.toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new BadInputException("--control-plane real: cannot run " + script + ": " + e, e);
    }
    // The build's own output goes to stderr, beside the progress line; stdout keeps the table.
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  err.println("  " + line);
                  err.flush();
                }
              } catch (IOException e) {
                // The process went away; its exit code says how.
              }
            },
            "saferollout-control-plane-build");
    pump.setDaemon(true);
    pump.start();
    try {
      if (!process.waitFor(BUILD_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new BadInputException(
            "--control-plane real: "
                + script
                + " did not finish within "
                + BUILD_TIMEOUT.toMinutes()
                + " minutes");
      }
      pump.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BadInputException("--control-plane real: interrupted while building", e);
    }
    if (process.exitValue() != 0) {
      throw new BadInputException(
          "--control-plane real: "
              + script
              + " failed with exit code "
              + process.exitValue()
              + " (its output is above)");
    }
  }
}
