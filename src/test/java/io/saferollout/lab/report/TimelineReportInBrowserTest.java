package io.saferollout.lab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.cluster.LabEvent.Kind;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.StepMark;
import io.saferollout.load.FailureEvent;
import io.saferollout.load.LatencySummary;
import io.saferollout.load.LoadReport;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report is self-contained and renders in a real browser: headless Chromium (Debian's
 * package) screenshots it, and the pod bars are on the picture in their colours. Skipped where
 * Chromium is not installed.
 */
class TimelineReportInBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void theReportRendersInChromiumWithItsPodBars() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "no /usr/bin/chromium (apt-get install chromium) to render the report");
    List<LabEvent> events =
        List.of(
            new LabEvent(T0, Kind.POD_CREATED, "demo", "web-a", null, ""),
            new LabEvent(T0.plusSeconds(1), Kind.POD_READY, "demo", "web-a", null, ""),
            new LabEvent(T0.plusSeconds(6), Kind.POD_TERMINATING, "demo", "web-a", null, ""),
            new LabEvent(T0.plusSeconds(9), Kind.POD_DELETED, "demo", "web-a", null, ""));
    LoadReport load =
        new LoadReport(
            T0,
            Duration.ofSeconds(10),
            100,
            100,
            1000,
            999,
            1,
            Map.of("502", 1L),
            LatencySummary.EMPTY,
            List.of(new FailureEvent(T0.plusSeconds(7), "502", URI.create("http://127.0.0.1:1/"))),
            0);
    RunOutcome outcome =
        new RunOutcome(
            new RunResult(
                "pod-kills",
                false,
                "immediate",
                false,
                1000,
                1,
                Map.of("502", 1L),
                0,
                1,
                List.of(),
                new RunResult.Latency(5, 20, 30),
                null,
                null),
            load,
            T0,
            T0.plusSeconds(10),
            List.of(new StepMark("kill 1/1 (web-a)", T0.plusSeconds(6), T0.plusSeconds(9))),
            events,
            List.of(),
            List.of());
    Path html = dir.resolve("report.html");
    Files.writeString(html, TimelineReport.html(List.of(outcome)));
    Path png = dir.resolve("report.png");

    // Flags as for any headless run on a closed network: no sandbox (root), no background traffic.
    Process chromium =
        new ProcessBuilder(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + dir.resolve("profile"),
                "--window-size=1200,900",
                "--screenshot=" + png,
                html.toUri().toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromium.log").toFile())
            .start();
    // Generous: a cold Chromium start on a loaded 2-core machine takes a few seconds.
    assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(png).exists();

    BufferedImage shot = ImageIO.read(png.toFile());
    assertThat(pixelsOf(shot, 0x33aa33)).as("green 'ready' bar pixels").isGreaterThan(500);
    assertThat(pixelsOf(shot, 0xee9900)).as("orange 'terminating' bar pixels").isGreaterThan(200);
  }

  private static long pixelsOf(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
