package io.saferollout.operator.adoption;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gate that holds a template change until the user's next rollout. */
class NextRolloutGateTest {
  final NextRolloutGate gate = new NextRolloutGate();

  @Test
  void aRunningDeploymentIsHeldAtItsCurrentRevision() {
    assertThat(gate.decide(deployment("3", RolledOut.YES), Optional.empty()))
        .isEqualTo(new NextRolloutGate.Verdict.Held(3));
    assertThat(gate.decide(deployment("3", RolledOut.YES), Optional.of(3L)))
        .as("nothing happened since")
        .isEqualTo(new NextRolloutGate.Verdict.Held(3));
  }

  @Test
  void theUsersNextRolloutOpensTheGateWhileItRuns() {
    assertThat(gate.decide(deployment("4", RolledOut.NO), Optional.of(3L)))
        .isInstanceOf(NextRolloutGate.Verdict.Open.class);
  }

  @Test
  void aRolloutThatFinishedUnseenMovesTheMarkInsteadOfStartingOne() {
    assertThat(gate.decide(deployment("4", RolledOut.YES), Optional.of(3L)))
        .isEqualTo(new NextRolloutGate.Verdict.Held(4));
  }

  @Test
  void scalingIsNotARollout() {
    // An HPA scale-up: pods are being added (not yet available) but the revision stays.
    assertThat(gate.decide(deployment("3", RolledOut.NO), Optional.of(3L)))
        .isEqualTo(new NextRolloutGate.Verdict.Held(3));
  }

  @Test
  void aDeploymentCreatedAMomentAgoTakesTheHardeningWithItsFirstPods() {
    Deployment creating =
        new DeploymentBuilder(deployment("1", RolledOut.NO))
            .editMetadata()
            .withGeneration(1L)
            .endMetadata()
            .editStatus()
            .withConditions()
            .endStatus()
            .build();
    assertThat(gate.decide(creating, Optional.empty()))
        .isInstanceOf(NextRolloutGate.Verdict.Open.class);
    Deployment scaledSinceCreation =
        new DeploymentBuilder(creating).editMetadata().withGeneration(2L).endMetadata().build();
    assertThat(gate.decide(scaledSinceCreation, Optional.empty()))
        .isEqualTo(new NextRolloutGate.Verdict.Held(1));
    Deployment podCrashedLater =
        new DeploymentBuilder(deployment("1", RolledOut.NO))
            .editMetadata()
            .withGeneration(1L)
            .endMetadata()
            .build();
    assertThat(gate.decide(podCrashedLater, Optional.empty()))
        .as("its first rollout completed long ago")
        .isEqualTo(new NextRolloutGate.Verdict.Held(1));
  }

  @Test
  void aDeploymentNotRolledOutYetTakesTheHardeningWithItsFirstPods() {
    assertThat(gate.decide(deployment(null, RolledOut.NO), Optional.empty()))
        .isInstanceOf(NextRolloutGate.Verdict.Open.class);
    assertThat(gate.decide(deployment("garbage", RolledOut.NO), Optional.empty()))
        .as("an unreadable revision waits rather than rolls")
        .isEqualTo(new NextRolloutGate.Verdict.Held(0));
  }

  enum RolledOut {
    YES,
    NO
  }

  static Deployment deployment(String revision, RolledOut rolledOut) {
    var b =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("web")
            .withGeneration(4L)
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .endSpec()
            .withNewStatus()
            .withObservedGeneration(4L)
            .withReplicas(3)
            .withUpdatedReplicas(3)
            .withAvailableReplicas(rolledOut == RolledOut.YES ? 3 : 1)
            .addNewCondition()
            .withType("Progressing")
            .withStatus("True")
            .withReason("NewReplicaSetAvailable")
            .endCondition()
            .endStatus();
    if (revision != null) {
      b.editMetadata().addToAnnotations(NextRolloutGate.REVISION, revision).endMetadata();
    }
    return b.build();
  }
}
