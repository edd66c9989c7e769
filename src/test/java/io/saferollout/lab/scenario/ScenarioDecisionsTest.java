package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.load.ClientMix;
import io.saferollout.load.FailureEvent;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of a run: which steps a scenario takes, and when a rollout counts as over. */
class ScenarioDecisionsTest {

  @Test
  void rolloutsAndKillsInterleaveAndRolloutsCycleThroughTheScenarioKinds() {
    assertThat(Scenario.MIX.steps(3, 2))
        .containsExactly(
            new Step.Rollout(RolloutKind.IMAGE_CHANGE),
            new Step.Kill(),
            new Step.Rollout(RolloutKind.RESTART),
            new Step.Kill(),
            new Step.Rollout(RolloutKind.SCALE_DOWN));
    assertThat(Scenario.POD_KILLS.steps(0, 2)).containsExactly(new Step.Kill(), new Step.Kill());
    assertThat(Scenario.RESTART.steps(2, 0)).containsOnly(new Step.Rollout(RolloutKind.RESTART));
    assertThat(Scenario.MIX.steps(4, 0)).last().isEqualTo(new Step.Rollout(RolloutKind.NODE_DRAIN));
  }

  @Test
  void everyScenarioComparesNaiveWithHardenedOnTheSameAppExceptKeepaliveWhichComparesApps() {
    assertThat(Scenario.ROLLING_UPDATE.arms(ShutdownStyle.GRACEFUL))
        .containsExactly(Arm.naive(ShutdownStyle.GRACEFUL), Arm.hardened(ShutdownStyle.GRACEFUL));
    assertThat(Scenario.KEEPALIVE.arms(ShutdownStyle.GRACEFUL))
        .containsExactly(
            Arm.hardenedControl(ShutdownStyle.IMMEDIATE), Arm.hardened(ShutdownStyle.GRACEFUL));
    assertThat(Scenario.KEEPALIVE.clientMix()).isEqualTo(ClientMix.keepAliveOnly());
    assertThat(Scenario.ONE_REPLICA.replicas()).hasValue(1);
    assertThat(Scenario.NODE_DRAIN.needsDisruptionBudget()).isTrue();
    assertThat(Scenario.POD_KILLS.needsDisruptionBudget()).isFalse();
  }

  @Test
  void adoptionFailuresAreThoseKnownBeforeTheMeasuredPartBegins() {
    Instant boundary = Instant.parse("2026-01-01T00:00:10Z");
    URI target = URI.create("http://127.0.0.1:1/");
    List<FailureEvent> events =
        List.of(
            new FailureEvent(boundary.minusSeconds(5), "reset", target),
            new FailureEvent(boundary.minusMillis(1), "connect-refused", target),
            new FailureEvent(boundary.minusSeconds(2), "reset", target),
            new FailureEvent(boundary, "500", target));

    assertThat(ScenarioRun.failuresBefore(events, boundary))
        .containsExactly(Map.entry("connect-refused", 1L), Map.entry("reset", 2L));
  }

  @Test
  void scenariosAreFoundByTheirPublishedNames() {
    assertThat(Scenario.byId("rolling-update")).contains(Scenario.ROLLING_UPDATE);
    assertThat(Scenario.byId(" Pod-Kills ")).contains(Scenario.POD_KILLS);
    assertThat(Scenario.byId("chaos")).isEmpty();
    assertThat(Scenario.ids())
        .isEqualTo(
            "rolling-update, restart, scale-down, pod-kills, kills-during-rollout, "
                + "node-drain, one-replica, keepalive, mix");
  }

  @Test
  void aPlanThatDoesNothingIsRejected() {
    assertThatThrownBy(() -> ScenarioPlan.of(Scenario.POD_KILLS, 100, 1).withCounts(0, 0))
        .hasMessageContaining("at least one rollout or kill");
    assertThatThrownBy(() -> ScenarioPlan.of(Scenario.POD_KILLS, 0, 1))
        .hasMessageContaining("positive");
  }

  @Test
  void rolloutIsCompleteOnlyWhenEveryReplicaIsUpdatedReadyAvailableAndNoPodIsTerminating() {
    List<Pod> three = List.of(pod("a", false), pod("b", false), pod("c", false));
    assertThat(RolloutCompletion.isComplete(deployment(3, 3, 3, 3, 2, 2), three)).isTrue();
    assertThat(RolloutCompletion.isComplete(deployment(3, 2, 3, 3, 2, 2), three))
        .as("one pod not updated")
        .isFalse();
    assertThat(RolloutCompletion.isComplete(deployment(3, 3, 2, 3, 2, 2), three))
        .as("one pod not ready")
        .isFalse();
    assertThat(RolloutCompletion.isComplete(deployment(3, 3, 3, 2, 2, 2), three))
        .as("one pod not available")
        .isFalse();
    assertThat(RolloutCompletion.isComplete(deployment(3, 3, 3, 3, 1, 2), three))
        .as("new spec not seen yet")
        .isFalse();
    assertThat(
            RolloutCompletion.isComplete(
                deployment(3, 3, 3, 3, 2, 2),
                List.of(pod("a", false), pod("b", false), pod("c", false), pod("old", true))))
        .as("an old pod is still in its preStop delay")
        .isFalse();
  }

  private static Deployment deployment(
      int replicas, int updated, int ready, int available, long observed, long generation) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withReplicas(replicas)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withObservedGeneration(observed)
        .endStatus()
        .build();
  }

  private static Pod pod(String name, boolean terminating) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withDeletionTimestamp(terminating ? "2026-01-01T00:00:00Z" : null)
        .endMetadata()
        .build();
  }
}
