package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.saferollout.lab.cluster.RollingUpdate.ReplicaSetCounts;
import io.saferollout.lab.cluster.RollingUpdate.Scale;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollingUpdateArithmeticTest {

  private static RollingUpdateBudget budget(
      int replicas, IntOrString surge, IntOrString unavailable) {
    return RollingUpdateBudget.of(
        LabFixtures.web("web", replicas, "web:v1")
            .editSpec()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxSurge(surge)
            .withMaxUnavailable(unavailable)
            .endRollingUpdate()
            .endStrategy()
            .endSpec()
            .build());
  }

  @Test
  void percentagesRoundSurgeUpAndUnavailabilityDown() {
    assertThat(budget(10, new IntOrString("25%"), new IntOrString("25%")))
        .isEqualTo(new RollingUpdateBudget(3, 2));
    assertThat(budget(3, new IntOrString("34%"), new IntOrString("34%")))
        .isEqualTo(new RollingUpdateBudget(2, 1));
    assertThat(budget(4, new IntOrString(2), new IntOrString("0%")))
        .isEqualTo(new RollingUpdateBudget(2, 0));
  }

  @Test
  void bothZeroStillAllowsOneUnavailablePod() {
    assertThat(budget(1, new IntOrString("10%"), new IntOrString("10%")))
        .isEqualTo(new RollingUpdateBudget(1, 0));
    assertThat(budget(3, new IntOrString(0), new IntOrString(0)))
        .isEqualTo(new RollingUpdateBudget(0, 1));
  }

  @Test
  void badValuesAreNamedInTheMessage() {
    assertThatThrownBy(() -> budget(3, new IntOrString("lots"), new IntOrString(0)))
        .hasMessageContaining("invalid maxSurge 'lots'");
    assertThatThrownBy(() -> budget(3, new IntOrString(1), new IntOrString(-1)))
        .hasMessageContaining("maxUnavailable must not be negative");
  }

  @Test
  void newReplicaSetGrowsWithinTheSurge() {
    RollingUpdateBudget surgeOne = new RollingUpdateBudget(1, 0);
    assertThat(
            RollingUpdate.newReplicaSetSize(
                3,
                surgeOne,
                new ReplicaSetCounts("new", 0, 0),
                List.of(new ReplicaSetCounts("old", 3, 3))))
        .isEqualTo(1);
    assertThat(
            RollingUpdate.newReplicaSetSize(
                3,
                surgeOne,
                new ReplicaSetCounts("new", 1, 0),
                List.of(new ReplicaSetCounts("old", 3, 3))))
        .as("at desired + surge already")
        .isEqualTo(1);
    assertThat(
            RollingUpdate.newReplicaSetSize(
                3, surgeOne, new ReplicaSetCounts("new", 5, 5), List.of()))
        .as("too big after a scale-down")
        .isEqualTo(3);
  }

  @Test
  void oldReplicaSetsShrinkOnlyAsFarAsAvailabilityAllows() {
    RollingUpdateBudget noUnavailable = new RollingUpdateBudget(1, 0);
    assertThat(
            RollingUpdate.scaleDownOld(
                3,
                noUnavailable,
                new ReplicaSetCounts("new", 1, 0),
                List.of(new ReplicaSetCounts("old", 3, 3))))
        .as("new pod not available yet")
        .isEmpty();
    assertThat(
            RollingUpdate.scaleDownOld(
                3,
                noUnavailable,
                new ReplicaSetCounts("new", 1, 1),
                List.of(new ReplicaSetCounts("old", 3, 3))))
        .containsExactly(new Scale("old", 2));
  }

  @Test
  void unhealthyOldPodsGoFirstEvenWithoutAvailabilityToSpare() {
    List<Scale> steps =
        RollingUpdate.scaleDownOld(
            3,
            new RollingUpdateBudget(1, 0),
            new ReplicaSetCounts("new", 1, 0),
            List.of(new ReplicaSetCounts("older", 1, 0), new ReplicaSetCounts("old", 3, 3)));
    assertThat(steps).containsExactly(new Scale("older", 0));
  }
}
