package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Adoption;
import io.saferollout.api.Phase;
import io.saferollout.api.ReportedFinding;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.controlplane.ControlPlane;
import io.saferollout.realapi.RealApi;
import io.saferollout.realapi.RealApiTest;
import io.saferollout.realapi.RealClients;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator on the real API server, hardening Deployments as real clients leave them: kubectl
 * (client- and server-side), Helm, and a GitOps controller's server-side apply. Each is hardened
 * with one write, later reconciles write nothing, and the tool's next sync of its unchanged
 * manifest succeeds and keeps the hardening. {@code maxSurge: 0} is kept and reported; a
 * server-side rename of a hardened container lands.
 */
@RealApiTest
class OwnershipOnRealServerTest {

  private static final String NS = "ownership-on-real-server";
  private static final String ARGO = "argocd-controller";

  private static KubernetesClient admin;
  private static RealClients clients;
  private static SafeRolloutOperator operator;

  /** How a tool puts the Deployment on the cluster; a re-sync is the same action again. */
  enum Tool {
    KUBECTL_CLIENT_SIDE("kubectl-client-side-apply", "Update") {
      @Override
      void sync(Deployment manifest) {
        clients.kubectlApply(manifest).succeeded();
      }
    },
    KUBECTL_SERVER_SIDE("kubectl", "Apply") {
      @Override
      void sync(Deployment manifest) {
        clients.kubectlApply(manifest, "--server-side").succeeded();
      }
    },
    /**
     * Helm 3's library, embedded: it names its field manager after the executable, which is {@code
     * java} here ({@code helm} from the CLI); the requests are Helm's own.
     */
    HELM("java", "Update") {
      private final java.util.Set<String> installed = new java.util.HashSet<>();

      @Override
      void sync(Deployment manifest) {
        String release = manifest.getMetadata().getName();
        if (installed.add(release)) {
          clients.helmInstall(release, NS);
        } else {
          clients.helmUpgrade(release, NS);
        }
      }
    },
    ARGO_CD_SERVER_SIDE(ARGO, "Apply") {
      @Override
      void sync(Deployment manifest) {
        clients.serverSideApply(manifest, ARGO);
      }
    };

    /** The field manager and operation the tool's first write leaves in managedFields. */
    final String manager;

    final String operation;

    Tool(String manager, String operation) {
      this.manager = manager;
      this.operation = operation;
    }

    abstract void sync(Deployment manifest);

    String deploymentName() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  @BeforeAll
  static void startOperator(ControlPlane cp) {
    admin = cp.newAdminClient();
    RealApi.installCrd(admin);
    RealApi.namespace(admin, NS);
    clients = new RealClients(cp, admin);
    operator =
        new SafeRolloutOperator(
            cp.newAdminClient(), OperatorSettings.singleInstance(), new SimpleMeterRegistry());
    operator.start();
  }

  /**
   * The SafeRollouts go while the operator still runs (their finalizer needs it), so no later test
   * class's operator in this JVM finds them.
   */
  @AfterAll
  static void stopOperator() {
    if (admin != null && operator != null) {
      admin.resources(SafeRollout.class).inNamespace(NS).delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> admin.resources(SafeRollout.class).inNamespace(NS).list().getItems().isEmpty());
    }
    if (operator != null) {
      operator.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void eachToolsDeploymentIsHardenedOnceAndKeepsItThroughTheNextSync(Tool tool) {
    String name = tool.deploymentName();
    Deployment manifest = manifest(name, UnaryOperator.identity());
    tool.sync(manifest);
    Deployment created = deployment(name);
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(created.getMetadata().getManagedFields())
        .filteredOn(m -> m.getSubresource() == null)
        .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(tool.manager, tool.operation));
    createSafeRollout(name);

    Deployment hardened = awaitHardened(name);
    assertThat(hardened.getMetadata().getGeneration())
        .as("one write: every change in one apply")
        .isEqualTo(2L);
    assertThat(managers(hardened)).contains(OperatorSettings.FIELD_MANAGER);
    JsonNode hardenedSpec = spec(hardened);

    reconcileSeveralTimes(name);
    assertThat(deployment(name).getMetadata().getGeneration())
        .as("reconciles after hardening write nothing")
        .isEqualTo(2L);
    assertThat(spec(deployment(name))).isEqualTo(hardenedSpec);

    tool.sync(manifest);
    reconcileSeveralTimes(name);
    Deployment afterSync = deployment(name);
    assertThat(spec(afterSync))
        .as("the re-sync and what follows keep the hardening")
        .isEqualTo(hardenedSpec);
    assertThat(afterSync.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void maxSurgeZeroIsKeptWithItsMaxUnavailableAndReportedAsSr013() {
    String name = "max-surge-zero";
    Deployment manifest =
        manifest(
            name,
            b ->
                b.editSpec()
                    .withNewStrategy()
                    .withType("RollingUpdate")
                    .withNewRollingUpdate()
                    .withMaxSurge(new IntOrString(0))
                    .endRollingUpdate()
                    .endStrategy()
                    .endSpec());
    clients.serverSideApply(manifest, ARGO);
    createSafeRollout(name);

    Deployment hardened = awaitHardened(name);
    assertThat(hardened.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
        .isEqualTo(new IntOrString(0));
    assertThat(hardened.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .as("the server's default, left as it is")
        .isEqualTo(new IntOrString("25%"));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(findings(name)).extracting(ReportedFinding::getRule).contains("SR013"));
    assertThat(hardened.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void theRealServerRejectsMaxSurgeAndMaxUnavailableBothZero() {
    Deployment bothZero =
        manifest(
            "both-zero",
            b ->
                b.editSpec()
                    .withNewStrategy()
                    .withType("RollingUpdate")
                    .withNewRollingUpdate()
                    .withMaxSurge(new IntOrString(0))
                    .withMaxUnavailable(new IntOrString(0))
                    .endRollingUpdate()
                    .endStrategy()
                    .endSpec());
    KubernetesClientException refusal =
        catchThrowableOfType(
            KubernetesClientException.class, () -> clients.serverSideApply(bothZero, ARGO));
    assertThat(refusal).isNotNull();
    assertThat(refusal.getCode()).isEqualTo(422);
    assertThat(refusal.getMessage()).contains("maxUnavailable").contains("may not be 0");
  }

  /**
   * An apply must name each container it touches, which makes the applier an owner of the
   * container's entry and name; while anyone owns those, the server keeps the entry when the tool
   * renames the container, without the image only the tool owned, and refuses the sync (422). The
   * operator gives the keys up right after its apply (ContainerKeyRelease), owning only the fields
   * it set inside: the tool's rename lands, and the operator hardens the renamed container.
   */
  @Test
  void aServerSideGitOpsRenameOfAHardenedContainerLandsAndIsHardenedAgain() {
    String name = "renamed";
    clients.serverSideApply(manifest(name, UnaryOperator.identity()), ARGO);
    createSafeRollout(name);
    awaitHardened(name);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(saferolloutsFields(deployment(name)))
                    .contains("f:readinessProbe", "f:preStop")
                    .doesNotContain("f:name", "\".\""));

    clients.serverSideApply(renamedToWeb(name), ARGO);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = deployment(name);
              assertThat(containerNames(d)).containsExactly("web");
              var web = d.getSpec().getTemplate().getSpec().getContainers().get(0);
              assertThat(web.getReadinessProbe())
                  .as("the operator hardens the new name")
                  .isNotNull();
              assertThat(web.getLifecycle()).isNotNull();
            });
    clients.serverSideApply(renamedToWeb(name), ARGO);
  }

  /** The control: a second applier that names the container blocks the same rename. */
  @Test
  void anApplierOwningTheContainersNameBlocksTheRename() {
    String name = "renamed-co-applied";
    clients.serverSideApply(manifest(name, UnaryOperator.identity()), ARGO);
    Deployment probeOnly =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withNewReadinessProbe()
            .withNewTcpSocket()
            .withPort(new IntOrString(8080))
            .endTcpSocket()
            .endReadinessProbe()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    probeOnly.setApiVersion("apps/v1");
    probeOnly.setKind("Deployment");
    clients.serverSideApply(probeOnly, "another-applier");

    KubernetesClientException refusal =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> clients.serverSideApply(renamedToWeb(name), ARGO));
    assertThat(refusal).as("the rename sync was accepted").isNotNull();
    assertThat(refusal.getCode()).isEqualTo(422);
    assertThat(refusal.getMessage())
        .contains("spec.template.spec.containers[0].image: Required value");
    assertThat(containerNames(deployment(name))).containsExactly("app");
  }

  /** The control: never hardened, the same rename by the same tool lands at once. */
  @Test
  void theSameRenameOfAContainerNobodyElseOwnsLands() {
    String name = "renamed-unhardened";
    clients.serverSideApply(manifest(name, UnaryOperator.identity()), ARGO);
    clients.serverSideApply(renamedToWeb(name), ARGO);
    assertThat(containerNames(deployment(name))).containsExactly("web");
  }

  /**
   * With the probe and hook in Git (what {@code saferollout harden} writes) the operator has
   * nothing to set in the container and owns no part of it: the rename is the tool's alone.
   */
  @Test
  void aContainerHardenedInGitIsRenamedByTheToolAlone() {
    String name = "hardened-in-git";
    UnaryOperator<DeploymentBuilder> probeAndHook =
        b ->
            b.editSpec()
                .editTemplate()
                .editSpec()
                .editFirstContainer()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/healthz")
                .withPort(new IntOrString(8080))
                .endHttpGet()
                .withPeriodSeconds(5)
                .endReadinessProbe()
                .withNewLifecycle()
                .withNewPreStop()
                .withNewSleep()
                .withSeconds(15L)
                .endSleep()
                .endPreStop()
                .endLifecycle()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec();
    clients.serverSideApply(manifest(name, probeAndHook), ARGO);
    createSafeRollout(name);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              SafeRollout sr =
                  admin.resources(SafeRollout.class).inNamespace(NS).withName(name).get();
              return sr.getStatus() != null && sr.getStatus().getPhase() == Phase.Hardened;
            });
    assertThat(saferolloutsFields(deployment(name))).doesNotContain("f:containers");

    clients.serverSideApply(renamedToWeb(name, probeAndHook), ARGO);
    assertThat(containerNames(deployment(name))).containsExactly("web");
  }

  /** The field set the operator's field manager owns, as the server records it. */
  private static String saferolloutsFields(Deployment d) {
    return d.getMetadata().getManagedFields().stream()
        .filter(m -> m.getManager().equals(OperatorSettings.FIELD_MANAGER))
        .map(m -> Serialization.asJson(m.getFieldsV1()))
        .findFirst()
        .orElse("");
  }

  private static Deployment renamedToWeb(String name) {
    return renamedToWeb(name, UnaryOperator.identity());
  }

  private static Deployment renamedToWeb(String name, UnaryOperator<DeploymentBuilder> edit) {
    return manifest(
        name,
        b ->
            edit.apply(b)
                .editSpec()
                .editTemplate()
                .editSpec()
                .editFirstContainer()
                .withName("web")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec());
  }

  private static List<String> containerNames(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .map(io.fabric8.kubernetes.api.model.Container::getName)
        .toList();
  }

  private static Deployment manifest(String name, UnaryOperator<DeploymentBuilder> edit) {
    DeploymentBuilder b =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            // No kubelet here: with no replicas the real Deployment controller completes the
            // rollout at once, so adoption Immediately applies.
            .withReplicas(0)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("registry.example/web:1")
            .addNewPort()
            .withContainerPort(8080)
            .endPort()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec();
    Deployment d = edit.apply(b).build();
    d.setApiVersion("apps/v1");
    d.setKind("Deployment");
    return d;
  }

  private static void createSafeRollout(String name) {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName(name);
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName(name));
    spec.setAdoption(Adoption.Immediately);
    spec.getReadinessProbe().setPath("/healthz");
    sr.setSpec(spec);
    admin.resources(SafeRollout.class).inNamespace(NS).resource(sr).create();
  }

  private static Deployment awaitHardened(String name) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              var container =
                  deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0);
              assertThat(container.getReadinessProbe()).as("readiness probe").isNotNull();
              assertThat(container.getLifecycle()).as("lifecycle").isNotNull();
              assertThat(container.getLifecycle().getPreStop()).as("preStop").isNotNull();
            });
    return deployment(name);
  }

  /**
   * Three reconciles of the Deployment's SafeRollout, each woken by a change to one of the
   * Deployment's labels and waited for by the operator's count. A label, not an annotation: the API
   * server gives a Deployment a new generation when its annotations change, since they are copied
   * to its ReplicaSets (registry/apps/deployment/strategy.go, PrepareForUpdate).
   */
  private static void reconcileSeveralTimes(String name) {
    for (int i = 0; i < 3; i++) {
      long before = operator.reconcileCount();
      admin
          .apps()
          .deployments()
          .inNamespace(NS)
          .withName(name)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"labels\":{\"test.saferollout.io/poke\":\""
                  + System.nanoTime()
                  + "\"}}}");
      await().atMost(Duration.ofSeconds(60)).until(() -> operator.reconcileCount() > before);
    }
  }

  private static Deployment deployment(String name) {
    return admin.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static List<ReportedFinding> findings(String name) {
    SafeRollout sr = admin.resources(SafeRollout.class).inNamespace(NS).withName(name).get();
    return sr.getStatus() == null || sr.getStatus().getFindings() == null
        ? List.of()
        : sr.getStatus().getFindings();
  }

  private static JsonNode spec(Deployment d) {
    return Serialization.jsonMapper().valueToTree(d.getSpec());
  }

  private static List<String> managers(Deployment d) {
    return d.getMetadata().getManagedFields().stream().map(ManagedFieldsEntry::getManager).toList();
  }
}
