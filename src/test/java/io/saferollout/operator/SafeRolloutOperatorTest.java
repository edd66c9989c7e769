package io.saferollout.operator;

import static io.saferollout.operator.OperatorHarness.NS;
import static io.saferollout.operator.OperatorHarness.deployment;
import static io.saferollout.operator.OperatorHarness.safeRollout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.api.Mode;
import io.saferollout.api.OnDelete;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.TargetRef;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator end to end over HTTP: SafeRollout in, hardened Deployment and status out. */
class SafeRolloutOperatorTest {
  OperatorHarness lab;

  @BeforeEach
  void start() {
    lab = new OperatorHarness("1.33");
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  @Test
  void safeRolloutHardensItsDeployment() throws Exception {
    lab.create(deployment("web", Map.of("tier", "front")));
    lab.create(safeRollout("web", TargetRef.byName("web")));

    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    Deployment d = lab.deployment("web");
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
    assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(15);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(d.getSpec().getMinReadySeconds()).isEqualTo(5);
    assertThat(d.getSpec().getReplicas()).as("replicas belong to the user or an HPA").isEqualTo(3);

    SafeRollout sr = lab.safeRollout("web");
    // Kept for the docs: what `kubectl get sr web -o yaml` shows after hardening.
    java.nio.file.Files.writeString(
        java.nio.file.Path.of("target", "sample-saferollout.yaml"),
        io.fabric8.kubernetes.client.utils.Serialization.asYaml(sr));
    assertThat(sr.getStatus().getObservedGeneration()).isEqualTo(sr.getMetadata().getGeneration());
    assertThat(sr.getStatus().getTargets()).containsExactly("web");
    assertThat(sr.getStatus().getTargetSummary()).isEqualTo("web");
    assertThat(sr.getStatus().getAppliedChanges())
        .extracting("path")
        .contains(
            "spec.template.spec.containers[web].readinessProbe",
            "spec.strategy.rollingUpdate.maxUnavailable");
    assertThat(condition(sr, "Ready"))
        .hasValueSatisfying(r -> assertThat(r.getStatus()).isEqualTo("True"));
    assertThat(lab.client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Hardened"));
  }

  @Test
  void aSecondReconcileOfAnUnchangedDeploymentSendsNoPatch() throws Exception {
    lab.create(deployment("web", Map.of()));
    lab.create(safeRollout("web", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    long hardeningWrites = lab.writesTo("web");
    assertThat(hardeningWrites)
        .as("one patch (after a 415 to server-side apply, on this server)")
        .isBetween(1L, 2L);

    // Touch the Deployment (a label) and the SafeRollout (a spec field the plan does not use):
    // both wake the reconciler, neither may cause another patch, or reconciles would roll pods.
    long before = lab.operator.reconcileCount();
    lab.client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .edit(
            d ->
                new DeploymentBuilder(d)
                    .editMetadata()
                    .addToLabels("touched", "yes")
                    .endMetadata()
                    .build());
    lab.client
        .resources(SafeRollout.class)
        .inNamespace(NS)
        .withName("web")
        .edit(
            sr -> {
              sr.getSpec().setOnDelete(OnDelete.Revert);
              return sr;
            });
    await()
        .atMost(OperatorHarness.settle())
        .until(() -> lab.operator.reconcileCount() >= before + 2);
    assertThat(lab.writesTo("web"))
        .as("no writes besides our own label edit")
        .isEqualTo(hardeningWrites + 1);
  }

  @Test
  void auditModeReportsAndChangesNothing() {
    Deployment original = lab.create(deployment("web", Map.of()));
    SafeRollout sr = safeRollout("web", TargetRef.byName("web"));
    sr.getSpec().setMode(Mode.Audit);
    lab.create(sr);

    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Audited);
    assertThat(lab.safeRollout("web").getStatus().getAppliedChanges()).isNotEmpty();
    assertThat(lab.deployment("web").getSpec()).isEqualTo(original.getSpec());
  }

  @Test
  void fillMissingKeepsAnUnsafeUserValueAndReportsIt() {
    lab.create(withMaxUnavailable(deployment("web", Map.of()), 1));
    lab.create(safeRollout("web", TargetRef.byName("web")));

    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    assertThat(lab.deployment("web").getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(1));
    assertThat(lab.safeRollout("web").getStatus().getFindings())
        .anySatisfy(
            f -> assertThat(f.getPath()).isEqualTo("spec.strategy.rollingUpdate.maxUnavailable"));
  }

  @Test
  void enforceCorrectsAnUnsafeUserValue() {
    lab.create(withMaxUnavailable(deployment("web", Map.of()), 1));
    SafeRollout sr = safeRollout("web", TargetRef.byName("web"));
    sr.getSpec().setMode(Mode.Enforce);
    lab.create(sr);

    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    assertThat(lab.deployment("web").getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
  }

  @Test
  void aTargetCreatedLaterIsPickedUp() {
    lab.create(safeRollout("web", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.TargetNotFound);
    assertThat(condition(lab.safeRollout("web"), "Ready"))
        .hasValueSatisfying(r -> assertThat(r.getReason()).isEqualTo("TargetNotFound"));

    lab.create(deployment("web", Map.of()));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    assertThat(
            lab.deployment("web")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getReadinessProbe())
        .isNotNull();
  }

  @Test
  void aSelectorHardensEveryMatchingDeploymentAndNoOther() {
    lab.create(deployment("cart", Map.of("tier", "front")));
    lab.create(deployment("shop", Map.of("tier", "front")));
    lab.create(deployment("batch", Map.of("tier", "back")));
    lab.create(
        safeRollout(
            "front",
            TargetRef.bySelector(
                new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "front")).build())));

    await().atMost(OperatorHarness.settle()).until(() -> phase("front") == Phase.Hardened);
    assertThat(lab.safeRollout("front").getStatus().getTargets()).containsExactly("cart", "shop");
    assertThat(lab.safeRollout("front").getStatus().getTargetSummary()).isEqualTo("tier=front (2)");
    assertThat(readiness("cart")).isNotNull();
    assertThat(readiness("shop")).isNotNull();
    assertThat(readiness("batch")).isNull();
  }

  @Test
  void deletingWithoutRevertLeavesTheDeploymentHardened() {
    lab.create(deployment("web", Map.of()));
    lab.create(safeRollout("web", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);

    lab.client.resources(SafeRollout.class).inNamespace(NS).withName("web").delete();
    await().atMost(OperatorHarness.settle()).until(() -> lab.safeRollout("web") == null);
    assertThat(readiness("web")).isNotNull();
  }

  @Test
  void deletingWithRevertRemovesExactlyTheOperatorsChanges() {
    Deployment original = lab.create(withMaxUnavailable(deployment("web", Map.of()), 1));
    SafeRollout sr = safeRollout("web", TargetRef.byName("web"));
    sr.getSpec().setOnDelete(OnDelete.Revert);
    lab.create(sr);
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    assertThat(readiness("web")).isNotNull();

    lab.client.resources(SafeRollout.class).inNamespace(NS).withName("web").delete();
    await().atMost(OperatorHarness.settle()).until(() -> lab.safeRollout("web") == null);
    Deployment reverted = lab.deployment("web");
    assertThat(reverted.getSpec()).isEqualTo(original.getSpec());
    assertThat(reverted.getMetadata().getAnnotations())
        .doesNotContainKey(AppliedChangesRecord.ANNOTATION);
  }

  @Test
  void anInvalidSpecThatPassedAdmissionIsReportedByField() {
    lab.create(deployment("web", Map.of()));
    SafeRollout sr = safeRollout("both", TargetRef.byName("web"));
    sr.getSpec()
        .getTarget()
        .setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("a", "b")).build());
    sr.getSpec().getPreStop().setDelaySeconds(-3);
    lab.create(sr);

    await().atMost(OperatorHarness.settle()).until(() -> phase("both") == Phase.Degraded);
    Condition degraded = condition(lab.safeRollout("both"), "Degraded").orElseThrow();
    assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
    assertThat(degraded.getMessage()).contains("spec.target").contains("spec.preStop.delaySeconds");
    assertThat(readiness("web")).as("nothing is hardened from an invalid spec").isNull();
  }

  @Test
  void theNewerOfTwoClaimsOnOneDeploymentIsToldSoInsteadOfFighting() throws Exception {
    lab.create(deployment("web", Map.of("tier", "front")));
    lab.create(safeRollout("first", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("first") == Phase.Hardened);
    // creationTimestamp has one-second resolution: make sure the second claim is strictly newer.
    Thread.sleep(1100);
    SafeRollout second =
        safeRollout(
            "second",
            TargetRef.bySelector(
                new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "front")).build()));
    second.getSpec().getPreStop().setDelaySeconds(40);
    lab.create(second);

    await().atMost(OperatorHarness.settle()).until(() -> phase("second") == Phase.Degraded);
    Condition degraded = condition(lab.safeRollout("second"), "Degraded").orElseThrow();
    assertThat(degraded.getReason()).isEqualTo("Conflict");
    assertThat(degraded.getMessage()).contains("first");
    assertThat(
            lab.deployment("web")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop()
                .getSleep()
                .getSeconds())
        .isEqualTo(15);
  }

  @Test
  void anOlderServerGetsAnExecSleepAndAFindingAboutTheShell() {
    lab.close();
    lab = new OperatorHarness("1.28");
    lab.create(deployment("web", Map.of()));
    lab.create(safeRollout("web", TargetRef.byName("web")));

    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    var preStop =
        lab.deployment("web")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getLifecycle()
            .getPreStop();
    assertThat(preStop.getSleep()).isNull();
    assertThat(preStop.getExec().getCommand()).contains("sleep 15");
    assertThat(lab.safeRollout("web").getStatus().getFindings())
        .anySatisfy(f -> assertThat(f.getMessage()).containsIgnoringCase("shell"));
  }

  @Test
  void aRunningDeploymentTakesTheHardeningWithTheUsersNextRollout() throws Exception {
    lab.create(running(deployment("web", Map.of()), "1"));
    // creationTimestamp has one-second resolution: a Deployment created in the same second as its
    // SafeRollout counts as created with it (and is hardened at once).
    Thread.sleep(1100);
    lab.create(safeRollout("web", TargetRef.byName("web")));

    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.AwaitingRollout);
    SafeRollout waiting = lab.safeRollout("web");
    assertThat(waiting.getStatus().getPending())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getHeldSinceRevision()).isEqualTo(1L);
              assertThat(p.getChanges())
                  .extracting("path")
                  .contains("spec.template.spec.containers[web].readinessProbe");
            });
    assertThat(readiness("web")).as("no rollout the user did not start").isNull();
    assertThat(events()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("AwaitingRollout"));

    // The user ships a new image; the Deployment controller starts revision 2.
    lab.client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .edit(
            d ->
                new DeploymentBuilder(d)
                    .editMetadata()
                    .addToAnnotations("deployment.kubernetes.io/revision", "2")
                    .endMetadata()
                    .editSpec()
                    .editTemplate()
                    .editSpec()
                    .editContainer(0)
                    .withImage("example/web:2")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .editStatus()
                    .withUpdatedReplicas(1)
                    .endStatus()
                    .build());

    await().atMost(OperatorHarness.settle()).until(() -> readiness("web") != null);
    assertThat(
            lab.deployment("web")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .as("the user's change is kept")
        .isEqualTo("example/web:2");
    await()
        .atMost(OperatorHarness.settle())
        .until(() -> lab.safeRollout("web").getStatus().getPending().isEmpty());
    assertThat(events())
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("Hardened");
              assertThat(e.getMessage()).contains("revision 2");
            });
  }

  @Test
  void onlyASafeRolloutThatRevertsOnDeletionCarriesAFinalizer() {
    lab.create(deployment("web", Map.of()));
    lab.create(safeRollout("web", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    assertThat(lab.safeRollout("web").getMetadata().getFinalizers())
        .as("Keep: deletion has nothing to do")
        .isEmpty();

    lab.client
        .resources(SafeRollout.class)
        .inNamespace(NS)
        .withName("web")
        .edit(
            sr -> {
              sr.getSpec().setOnDelete(OnDelete.Revert);
              return sr;
            });
    await()
        .atMost(OperatorHarness.settle())
        .until(
            () ->
                lab.safeRollout("web")
                    .getMetadata()
                    .getFinalizers()
                    .contains(DeletionHandling.FINALIZER));

    lab.client
        .resources(SafeRollout.class)
        .inNamespace(NS)
        .withName("web")
        .edit(
            sr -> {
              sr.getSpec().setOnDelete(OnDelete.Keep);
              return sr;
            });
    await()
        .atMost(OperatorHarness.settle())
        .until(() -> lab.safeRollout("web").getMetadata().getFinalizers().isEmpty());
  }

  @Test
  void hardeningANewDeploymentRecordsOneEvent() throws Exception {
    lab.create(deployment("web", Map.of()));
    lab.create(safeRollout("web", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);
    assertThat(
            lab.deployment("web")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getReadinessProbe())
        .isNotNull();
    await().atMost(OperatorHarness.settle()).until(() -> !events().isEmpty());
    Thread.sleep(1000);
    assertThat(events())
        .as("one summary, not one Event per field")
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("Hardened"));
  }

  @Test
  void statusIsReplacedOnlyAtTheVersionItWasDecidedFrom() throws Exception {
    lab.create(deployment("web", Map.of()));
    lab.create(safeRollout("web", TargetRef.byName("web")));
    await().atMost(OperatorHarness.settle()).until(() -> phase("web") == Phase.Hardened);

    var statusWrites = lab.requestsTo("/saferollouts/web/status");
    // A PUT carries the resourceVersion the status was decided from: the API server answers 409 if
    // anyone wrote since, so a decision made from a stale cache never replaces a newer status.
    // (A merge patch without a resourceVersion, JOSDK's default, would.)
    assertThat(statusWrites)
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.getMethod()).isEqualTo("PUT"));
  }

  private java.util.List<io.fabric8.kubernetes.api.model.Event> events() {
    return lab.client.v1().events().inNamespace(NS).list().getItems();
  }

  /** As the Deployment controller leaves a Deployment it has rolled out completely. */
  private static Deployment running(Deployment d, String revision) {
    return new DeploymentBuilder(d)
        .editMetadata()
        .addToAnnotations("deployment.kubernetes.io/revision", revision)
        .endMetadata()
        .withNewStatus()
        .withReplicas(3)
        .withUpdatedReplicas(3)
        .withReadyReplicas(3)
        .withAvailableReplicas(3)
        .addNewCondition()
        .withType("Progressing")
        .withStatus("True")
        .withReason("NewReplicaSetAvailable")
        .endCondition()
        .endStatus()
        .build();
  }

  private Phase phase(String name) {
    SafeRollout sr = lab.safeRollout(name);
    return sr == null || sr.getStatus() == null ? null : sr.getStatus().getPhase();
  }

  private Object readiness(String deployment) {
    return lab.deployment(deployment)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getReadinessProbe();
  }

  private static Optional<Condition> condition(SafeRollout sr, String type) {
    return sr.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  private static Deployment withMaxUnavailable(Deployment d, int maxUnavailable) {
    return new DeploymentBuilder(d)
        .editSpec()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(maxUnavailable))
        .withMaxSurge(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .endSpec()
        .build();
  }
}
