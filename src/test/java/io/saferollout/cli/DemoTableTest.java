package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.lab.scenario.RunResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoTableTest {

  private static final RunResult.Latency LATENCY = new RunResult.Latency(7.4, 52.6, 310.2);

  @Test
  void oneLinePerRunWithAdoptionOnItsOwnColumnLatencyAndTheMedianRolloutTime() {
    RunResult naive =
        new RunResult(
            "rolling-update",
            false,
            "graceful",
            false,
            1000,
            120,
            Map.of("502", 100L, "500", 20L),
            3,
            0,
            List.of(0.5, 0.7, 0.4),
            LATENCY,
            null,
            null);
    RunResult hardened =
        new RunResult(
            "rolling-update",
            true,
            "graceful",
            false,
            2000,
            0,
            Map.of(),
            3,
            0,
            List.of(11.0, 12.5, 11.5),
            LATENCY,
            new RunResult.Adoption(900, 14, Map.of("reset", 14L), 40.04),
            new RunResult.Removal(
                new RunResult.Latency(35, 840, 910), new RunResult.Latency(700, 1900, 2100), 4, 4));

    List<String> lines = DemoTable.render(List.of(naive, hardened)).lines().toList();

    assertThat(lines).hasSize(4);
    assertThat(lines.get(2))
        .startsWith("rolling-update")
        .contains("naive")
        .contains("graceful")
        .contains("120 / 1000")
        .contains("500 (warming up) 20, 502 (refused/reset) 100")
        .contains("7/53/310 ms")
        .containsPattern("\\| -\\s+\\| -\\s+\\| 0\\.5 s$");
    assertThat(lines.get(3))
        .contains("hardened")
        .contains("14 / 900 (reset 14) in 40.0 s")
        .contains("0 / 2000")
        .contains("840/1900 ms")
        .contains("4/4 s")
        .endsWith("11.5 s");
  }

  @Test
  void aControlRunIsMarkedAndRunsWithoutRolloutsShowADash() {
    RunResult control =
        new RunResult(
            "keepalive",
            true,
            "immediate",
            true,
            10,
            3,
            Map.of("reset", 3L),
            0,
            1,
            List.of(),
            LATENCY,
            new RunResult.Adoption(5, 0, Map.of(), 20),
            new RunResult.Removal(null, new RunResult.Latency(600, 1200, 1300), 15, null));
    assertThat(DemoTable.render(List.of(control)))
        .contains("hardened (control)")
        .contains("0 / 5 in 20.0 s");
    assertThat(DemoTable.rolloutTime(control)).isEqualTo("-");
    assertThat(DemoTable.byClass(Map.of())).isEqualTo("none");
    assertThat(DemoTable.adoption(null)).isEqualTo("-");
    assertThat(DemoTable.removalP99(control.removal()))
        .as("a figure not measured is a dash, not zero")
        .isEqualTo("-/1200 ms");
    assertThat(DemoTable.preStop(control.removal())).isEqualTo("15/- s");
  }
}
