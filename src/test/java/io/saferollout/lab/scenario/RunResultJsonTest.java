package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The published shape of one run in {@code demo --json} (serialized as DemoCommand does, with a
 * plain ObjectMapper): the operator's removal figures sit at the run's level, as the issue that
 * added them names them, and a naive run has none of them.
 */
class RunResultJsonTest {
  static final RunResult.Latency LATENCY = new RunResult.Latency(6, 18, 40);
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aHardenedRunCarriesItsRemovalFiguresAtTheRunLevel() throws Exception {
    JsonNode run =
        JSON.valueToTree(
            hardened(
                new RunResult.Removal(
                    new RunResult.Latency(35, 840, 910),
                    new RunResult.Latency(700, 1900, 2100),
                    4,
                    5)));

    assertThat(fields(run))
        .containsExactly(
            "scenario",
            "hardened",
            "app",
            "control",
            "requests",
            "failed",
            "failuresByClass",
            "rollouts",
            "kills",
            "rolloutSeconds",
            "latencyMs",
            "adoption",
            "endpointRemovalMs",
            "dataPlaneMs",
            "preStopSeconds",
            "recommendedPreStopSeconds");
    assertThat(run.get("endpointRemovalMs").toString())
        .isEqualTo("{\"p50\":35.0,\"p99\":840.0,\"max\":910.0}");
    assertThat(run.get("dataPlaneMs").toString())
        .isEqualTo("{\"p50\":700.0,\"p99\":1900.0,\"max\":2100.0}");
    assertThat(run.get("preStopSeconds").asInt()).isEqualTo(4);
    assertThat(run.get("recommendedPreStopSeconds").asInt()).isEqualTo(5);
  }

  @Test
  void aFigureNotMeasuredIsLeftOutRatherThanWrittenAsNull() throws Exception {
    JsonNode run = JSON.valueToTree(hardened(new RunResult.Removal(null, null, 15, null)));

    assertThat(run.get("preStopSeconds").asInt()).isEqualTo(15);
    assertThat(run.has("endpointRemovalMs")).isFalse();
    assertThat(run.has("dataPlaneMs")).isFalse();
    assertThat(run.has("recommendedPreStopSeconds")).isFalse();
    assertThat(run.has("removal")).isFalse();
  }

  @Test
  void aNaiveRunHasNoAdoptionAndNoRemovalFigures() throws Exception {
    JsonNode run =
        JSON.valueToTree(
            new RunResult(
                "rolling-update",
                false,
                "graceful",
                false,
                1000,
                120,
                Map.of("502", 100L, "500", 20L),
                1,
                0,
                List.of(0.5),
                LATENCY,
                null,
                null));

    assertThat(fields(run)).endsWith("latencyMs").doesNotContain("adoption", "preStopSeconds");
  }

  private static RunResult hardened(RunResult.Removal removal) {
    return new RunResult(
        "rolling-update",
        true,
        "graceful",
        false,
        2000,
        0,
        Map.of(),
        1,
        0,
        List.of(11.0),
        LATENCY,
        new RunResult.Adoption(900, 14, Map.of("reset", 14L), 40.04),
        removal);
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
