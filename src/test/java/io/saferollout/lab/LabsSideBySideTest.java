package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labs claim loopback ranges that are really free, so any number run at once, in one JVM or
 * several.
 */
@io.saferollout.WallClockTest
class LabsSideBySideTest {

  /** Generous: a lab comes up in ~10 s, but this machine may be running several builds at once. */
  private static final long CHILD_PATIENCE_SECONDS = 240;

  @Test
  void twoLabsInTwoJvmsAndASecondOneInThisJvmAllComplete(@TempDir Path dir) throws Exception {
    // This JVM's first lab is up and holds its range before the others start, so they overlap for
    // sure.
    Lab held = Lab.start(LabSettings.defaults());
    Process child = null;
    try {
      File log = dir.resolve("child.log").toFile();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      child =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  SideBySideLabRun.class.getName())
              .redirectErrorStream(true)
              .redirectOutput(log)
              .start();
      CompletableFuture<String> second =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return SideBySideLabRun.run(Lab.start(LabSettings.defaults()));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });

      String heldRange = held.network().toString();
      String secondRange = second.get(CHILD_PATIENCE_SECONDS, TimeUnit.SECONDS);
      boolean exited = child.waitFor(CHILD_PATIENCE_SECONDS, TimeUnit.SECONDS);
      String output = Files.readString(log.toPath());

      assertThat(exited)
          .as("the second JVM's lab finished; its output:\n%s", tail(output))
          .isTrue();
      assertThat(child.exitValue())
          .as("the second JVM's lab worked; its output:\n%s", tail(output))
          .isZero();
      String childRange =
          output
              .lines()
              .filter(l -> l.startsWith(SideBySideLabRun.DONE))
              .map(l -> l.substring(SideBySideLabRun.DONE.length()))
              .findFirst()
              .orElseThrow();
      assertThat(childRange)
          .as("the other JVM's lab ran while this one held its range")
          .isNotEqualTo(heldRange);
      assertThat(secondRange).isNotEqualTo(heldRange);
      // The held lab still works after the others came and went.
      assertThat(SideBySideLabRun.run(held)).isEqualTo(heldRange);
    } finally {
      if (child != null && child.isAlive()) {
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      held.close();
    }
  }

  private static String tail(String output) {
    return output.length() <= 4_000 ? output : output.substring(output.length() - 4_000);
  }
}
