package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.chart;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad values fail at render/install time, with a message that names the value at fault. */
class ChartValuesSchemaTest {
  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Map.of("replicas", "two"), "/replicas"),
        Arguments.of(Map.of("replicas", 1.5), "/replicas"),
        Arguments.of(Map.of("replicas", 0), "/replicas"),
        Arguments.of(Map.of("logLevel", "VERBOSE"), "/logLevel"),
        Arguments.of(Map.of("logFormat", "xml"), "/logFormat"),
        Arguments.of(Map.of("watchNamespaces", "team-a"), "/watchNamespaces"),
        Arguments.of(Map.of("watchNamespaces", List.of("Team_A")), "/watchNamespaces/0"),
        Arguments.of(Map.of("watchNamespaces", List.of("a".repeat(64))), "/watchNamespaces/0"),
        Arguments.of(Map.of("watchNamespaces", List.of("team-a", "team-a")), "/watchNamespaces"),
        Arguments.of(Map.of("healthPort", 70000), "/healthPort"),
        Arguments.of(Map.of("shutdown.drainSeconds", -1), "/shutdown/drainSeconds"),
        Arguments.of(Map.of("shutdown.preStopSeconds", 15), "preStopSeconds"),
        Arguments.of(Map.of("leaderElection.leaseName", "Not A Name"), "/leaderElection/leaseName"),
        Arguments.of(Map.of("image.pullPolicy", "Sometimes"), "/image/pullPolicy"),
        Arguments.of(Map.of("replicaCount", 3), "replicaCount"));
  }

  @ParameterizedTest(name = "{0} is rejected naming {1}")
  @MethodSource("badValues")
  void schemaRejectsBadValuesNamingTheField(Map<String, Object> values, String field) {
    ChartRenderer renderer = chart();
    values.forEach(renderer::with);

    assertThatThrownBy(renderer::renderYaml)
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(field);
  }

  @Test
  void severalReplicasWithoutLeaderElectionAreRejected() {
    assertThatThrownBy(() -> chart().with("leaderElection.enabled", false).renderYaml())
        .hasMessageContaining("replicas > 1 needs leaderElection.enabled=true");
  }

  @Test
  void aDisruptionBudgetThatWouldBlockEveryDrainIsRejected() {
    assertThatThrownBy(() -> chart().with("replicas", 1).renderYaml())
        .hasMessageContaining("podDisruptionBudget.minAvailable (1) must be below replicas (1)");
  }

  @Test
  void notCreatingAServiceAccountNeedsTheNameOfOne() {
    assertThatThrownBy(() -> chart().with("serviceAccount.create", false).renderYaml())
        .hasMessageContaining(
            "serviceAccount.name is required when serviceAccount.create is false");
  }
}
