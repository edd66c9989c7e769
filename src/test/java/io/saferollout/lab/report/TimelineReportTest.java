package io.saferollout.lab.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.cluster.LabEvent.Kind;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.StepMark;
import io.saferollout.load.FailureEvent;
import io.saferollout.load.LatencySummary;
import io.saferollout.load.LoadReport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TimelineReportTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void podLifeIsDrawnAsStartingReadyAndTerminatingSegmentsWithEndpointTicksAndFailureMarks() {
    List<LabEvent> events =
        List.of(
            event(0, Kind.POD_CREATED, "web-a"),
            event(1, Kind.POD_READY, "web-a"),
            event(5, Kind.POD_TERMINATING, "web-a"),
            event(8, Kind.POD_DELETED, "web-a"),
            event(-30, Kind.POD_CREATED, "setup-pod"),
            event(-20, Kind.POD_DELETED, "setup-pod"),
            event(2, Kind.ENDPOINTS_CHANGED, "web-slice"));
    List<EndpointSetApplied> endpoints =
        List.of(
            new EndpointSetApplied(
                "node-1",
                Set.of(new InetSocketAddress("127.1.0.1", 8080)),
                T0.plusSeconds(2),
                T0.plusMillis(3_200)));
    LoadReport load =
        new LoadReport(
            T0,
            Duration.ofSeconds(10),
            100,
            100,
            1000,
            990,
            10,
            Map.of("502", 10L),
            LatencySummary.EMPTY,
            List.of(
                new FailureEvent(T0.plusMillis(5_500), "502", URI.create("http://127.0.0.1:1/"))),
            0);
    RunOutcome outcome =
        new RunOutcome(
            new RunResult(
                "pod-kills",
                false,
                "graceful",
                false,
                1000,
                10,
                Map.of("502", 10L),
                0,
                1,
                List.of(),
                new RunResult.Latency(6.5, 40.25, 120),
                null,
                null),
            load,
            T0,
            T0.plusSeconds(10),
            List.of(new StepMark("kill 1/1 (web-a)", T0.plusSeconds(5), T0.plusSeconds(8))),
            events,
            endpoints,
            List.of(
                new RunOutcome.NodeDelays(
                    "node-1",
                    "kube-proxy",
                    "kube-proxy(minSync=1s)",
                    List.of(Duration.ofMillis(1_200), Duration.ofMillis(300)))));

    String svg = TimelineReport.svg(outcome);

    assertThat(fills(svg, "pod")).containsExactly("#9aa", "#3a3", "#e90");
    assertThat(svg)
        .doesNotContain("setup-pod")
        .as("pods gone before the measured window are left out");
    assertThat(svg).contains("class=\"endpoints\"").contains("applied 1200 ms after the change");
    assertThat(svg).contains("class=\"failure\"").contains("1 failed at +5.5 s");
    assertThat(svg).contains("kill 1/1 (web-a)");
    String html = TimelineReport.html(List.of(outcome));
    assertThat(html).contains("<td>pod-kills</td>").doesNotContain("<script");
    assertThat(html).as("a naive run has no operator figures").doesNotContain("class=\"removal\"");
    assertThat(html).as("latency p50 / p99 / max").contains("<td>6.5 / 40.3 / 120.0</td>");
    assertThat(html)
        .as("each node's measured delays next to its profile")
        .contains(
            "<tr class=\"node-delays\"><td>pod-kills</td><td>naive</td><td>node-1</td><td>kube-proxy</td>"
                + "<td>kube-proxy(minSync=1s)</td><td>2</td><td>300 ms</td><td>1200 ms</td><td>1200 ms</td></tr>");
  }

  @Test
  void adoptionFailuresAreCountedOnTheirOwnLineAndLeftOutOfTheTimeline() {
    LoadReport load =
        new LoadReport(
            T0,
            Duration.ofSeconds(10),
            100,
            100,
            1000,
            997,
            3,
            Map.of("reset", 3L),
            LatencySummary.EMPTY,
            List.of(
                new FailureEvent(T0.minusSeconds(20), "reset", URI.create("http://127.0.0.1:1/"))),
            0);
    RunOutcome outcome =
        new RunOutcome(
            new RunResult(
                "pod-kills",
                true,
                "graceful",
                false,
                600,
                0,
                Map.of(),
                0,
                1,
                List.of(),
                new RunResult.Latency(5, 9, 12),
                new RunResult.Adoption(400, 3, Map.of("reset", 3L), 41.5),
                new RunResult.Removal(new RunResult.Latency(40, 820, 950), null, 15, 4)),
            load,
            T0,
            T0.plusSeconds(10),
            List.of(),
            List.of(),
            List.of(),
            List.of());

    assertThat(TimelineReport.svg(outcome)).doesNotContain("class=\"failure\"");
    assertThat(TimelineReport.html(List.of(outcome)))
        .contains("<td>3 / 400 {reset=3}</td><td>41.5</td>");
    assertThat(TimelineReport.html(List.of(outcome)))
        .as("a line per hardened run: removal and preStop")
        .contains(
            "<tr class=\"removal\"><td>pod-kills</td><td>under SafeRollout</td><td>40 / 820 / 950</td>"
                + "<td>not measured</td><td>15</td><td>4</td></tr>");
  }

  @Test
  void textIsEscaped() {
    assertThat(TimelineReport.esc("<a & \"b\">")).isEqualTo("&lt;a &amp; &quot;b&quot;&gt;");
  }

  private static List<String> fills(String svg, String cssClass) {
    Matcher m = Pattern.compile("class=\"" + cssClass + "\"[^>]*fill=\"([^\"]+)\"").matcher(svg);
    List<String> fills = new java.util.ArrayList<>();
    while (m.find()) {
      fills.add(m.group(1));
    }
    return fills;
  }

  private static LabEvent event(int second, Kind kind, String name) {
    return new LabEvent(T0.plusSeconds(second), kind, "demo", name, null, "");
  }
}
