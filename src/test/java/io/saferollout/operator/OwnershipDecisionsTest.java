package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.api.AppliedChange;
import io.saferollout.rules.Change;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import io.saferollout.rules.LiveTarget;
import io.saferollout.rules.RealApiCorpus;
import io.saferollout.rules.Rule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's ownership decisions on Deployments as a real API server returns them. */
class OwnershipDecisionsTest {
  static final String READINESS = "spec.template.spec.containers[web].readinessProbe";
  static final String PRE_STOP = "spec.template.spec.containers[web].lifecycle.preStop";

  @Test
  void itsOwnValuesAreRecognisedAfterARoundTripThroughTheApiServer() {
    Deployment served = RealApiCorpus.load("saferollout-hardened").deployment();
    List<Change> recorded = AppliedChangesRecord.read(served);

    // The probe comes back without initialDelaySeconds: 0, the sleep seconds as whatever number
    // type the decoder picks; both must still read as SafeRollout's.
    assertThat(OwnedFields.stillOurs(served, recorded))
        .containsExactlyInAnyOrder(
            READINESS,
            PRE_STOP,
            "spec.strategy.rollingUpdate.maxUnavailable",
            "spec.minReadySeconds");
    HardeningPlan again =
        DeploymentHardener.plan(
            served,
            HardeningPolicy.defaults(),
            ClusterCapabilities.LATEST,
            LiveTarget.of(OwnedFields.stillOurs(served, recorded), recorded),
            null);
    assertThat(again.changes()).as("a steady state writes nothing").isEmpty();
  }

  @Test
  void aFieldTheUserReplacedIsNoLongerOursNorInTheApplyBody() {
    Deployment served = RealApiCorpus.load("saferollout-hardened-then-kubectl-edit").deployment();
    List<Change> recorded = AppliedChangesRecord.read(served);

    assertThat(OwnedFields.stillOurs(served, recorded))
        .doesNotContain(READINESS)
        .contains(PRE_STOP);
    JsonNode body = ApplyConfiguration.of(served, recorded.stream().map(Change::path).toList());
    assertThat(body.at("/spec/template/spec/containers/0/readinessProbe").isMissingNode())
        .as("a forced apply would take the user's probe; leaving it out releases it")
        .isTrue();
    assertThat(body.at("/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds").asInt())
        .isEqualTo(15);
  }

  @Test
  void aFieldAnotherManagerOwnsIsNotOursEvenWithOurValue() {
    Deployment served = RealApiCorpus.load("saferollout-hardened").deployment();
    List<Change> recorded = AppliedChangesRecord.read(served);
    // Drop saferollout's entry: as if another manager had forced the same values over ours.
    served
        .getMetadata()
        .setManagedFields(
            new ArrayList<>(
                served.getMetadata().getManagedFields().stream()
                    .filter(m -> !m.getManager().equals(OperatorSettings.FIELD_MANAGER))
                    .toList()));
    assertThat(OwnedFields.stillOurs(served, recorded)).isEmpty();
  }

  @Test
  void aUsersHandlerNextToOursEndsOurRecordOfTheField() {
    Deployment twoHandlers =
        withUserExecProbe(RealApiCorpus.load("saferollout-hardened").deployment());
    List<Change> recorded = AppliedChangesRecord.read(twoHandlers);
    HardeningPlan plan =
        DeploymentHardener.plan(
            twoHandlers,
            HardeningPolicy.defaults(),
            ClusterCapabilities.LATEST,
            LiveTarget.of(OwnedFields.stillOurs(twoHandlers, recorded), recorded),
            null);

    assertThat(plan.changes()).extracting(Change::path).containsExactly(READINESS + ".tcpSocket");
    assertThat(plan.removesFields())
        .as("a release goes through apply, leaving the field out")
        .isFalse();
    List<Change> nowRecorded = AppliedChangesRecord.merge(recorded, plan.changes());
    assertThat(nowRecorded)
        .extracting(Change::path)
        .doesNotContain(READINESS, READINESS + ".tcpSocket")
        .contains(PRE_STOP);
  }

  @Test
  void revertOnlyUndoesWhatTheStatusOrOurFieldManagerVouchesFor() {
    Deployment served = RealApiCorpus.load("saferollout-hardened").deployment();
    // A forged entry: "SafeRollout set the image, and before it was evil:latest".
    List<Change> forged = new ArrayList<>(AppliedChangesRecord.read(served));
    forged.add(
        Change.fromText(
            Rule.SR001,
            "spec.template.spec.containers[web].image",
            "\"evil:latest\"",
            "\"example/web:1.0\"",
            "recorded"));
    Deployment tampered =
        new DeploymentBuilder(served)
            .editMetadata()
            .addToAnnotations(AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(forged))
            .endMetadata()
            .build();

    List<Change> byOwnership = AppliedChangesRecord.provable(tampered, List.of());
    assertThat(byOwnership)
        .extracting(Change::path)
        .as("removals of fields saferollout owns")
        .containsExactlyInAnyOrder(READINESS, PRE_STOP, "spec.minReadySeconds");

    List<AppliedChange> status = new ArrayList<>();
    for (Change c : AppliedChangesRecord.read(served)) {
      status.add(new AppliedChange("web", c.rule().id(), c.path(), c.oldValue(), c.newValue()));
    }
    assertThat(AppliedChangesRecord.provable(tampered, status))
        .extracting(Change::path)
        .as("maxUnavailable's old value is vouched for by the status; the forged image never is")
        .containsExactlyInAnyOrder(
            READINESS,
            PRE_STOP,
            "spec.minReadySeconds",
            "spec.strategy.rollingUpdate.maxUnavailable");

    Deployment withoutManagedFields =
        new DeploymentBuilder(tampered)
            .editMetadata()
            .withManagedFields(List.of())
            .endMetadata()
            .build();
    assertThat(AppliedChangesRecord.provable(withoutManagedFields, List.of()))
        .as("no managedFields and no status: nothing can be proven")
        .isEmpty();
    assertThat(AppliedChangesRecord.provable(withoutManagedFields, status)).hasSize(4);
  }

  @Test
  void aRecordedValueWrittenAsIntMatchesTheLongReadBack() {
    Change written =
        Change.fromText(Rule.SR005, PRE_STOP, null, "{\"sleep\":{\"seconds\":15}}", "r");
    Deployment d = RealApiCorpus.load("saferollout-hardened").deployment();
    d.getMetadata().setManagedFields(List.of());
    assertThat(
            d.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop()
                .getSleep()
                .getSeconds())
        .isInstanceOf(Long.class);
    assertThat(OwnedFields.stillOurs(d, List.of(written))).containsExactly(PRE_STOP);
    assertThat(
            AppliedChangesRecord.merge(
                List.of(written),
                List.of(
                    Change.fromText(
                        Rule.SR005,
                        PRE_STOP,
                        "{\"sleep\":{\"seconds\":15}}",
                        "{\"sleep\":{\"seconds\":15.0}}",
                        "r"))))
        .as("15.0 is the value recorded, by meaning")
        .singleElement()
        .satisfies(c -> assertThat(c.oldValue()).isNull());
  }

  private static Deployment withUserExecProbe(Deployment d) {
    d.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getReadinessProbe()
        .setExec(
            new io.fabric8.kubernetes.api.model.ExecActionBuilder()
                .withCommand("/app/bin/ready")
                .build());
    return d;
  }
}
