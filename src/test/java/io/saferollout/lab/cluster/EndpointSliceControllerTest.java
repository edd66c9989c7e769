package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSliceControllerTest {

  private static final Duration CONVERGE = Duration.ofSeconds(60);

  private static List<Endpoint> endpoints(KubernetesClient client, String service) {
    List<EndpointSlice> slices =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(LabFixtures.NAMESPACE)
            .withLabel(DesiredEndpointSlices.SERVICE_NAME_LABEL, service)
            .list()
            .getItems();
    return slices.stream().flatMap(s -> s.getEndpoints().stream()).toList();
  }

  @Test
  void terminatingPodStaysServingButNotReadyUntilItIsGone() {
    LabTimeline timeline = new LabTimeline();
    try (LabCluster lab =
            LabCluster.builder().runtime(new HttpTestRuntime()).events(timeline).start();
        KubernetesClient client = lab.newClient()) {
      client
          .services()
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName("web")
                  .withNamespace(LabFixtures.NAMESPACE)
                  .endMetadata()
                  .withNewSpec()
                  .addToSelector("app", "web")
                  .addNewPort()
                  .withName("http")
                  .withPort(80)
                  .withTargetPort(new IntOrString("http"))
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      // A preStop sleep keeps the app serving while the pod terminates, which is the window
      // in which endpoints must already say "not ready, but still serving".
      client
          .pods()
          .resource(
              LabFixtures.pod("web", "web:v1")
                  .editMetadata()
                  .addToLabels("app", "web")
                  .endMetadata()
                  .editSpec()
                  .withTerminationGracePeriodSeconds(30L)
                  .editFirstContainer()
                  .withNewLifecycle()
                  .withNewPreStop()
                  .withNewSleep()
                  .withSeconds(20L)
                  .endSleep()
                  .endPreStop()
                  .endLifecycle()
                  .endContainer()
                  .endSpec()
                  .build())
          .create();

      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () ->
                  assertThat(endpoints(client, "web"))
                      .singleElement()
                      .satisfies(
                          e -> {
                            assertThat(e.getConditions().getReady()).isTrue();
                            assertThat(e.getConditions().getServing()).isTrue();
                            assertThat(e.getConditions().getTerminating()).isFalse();
                            assertThat(e.getAddresses())
                                .containsExactly(
                                    LabFixtures.pod(client, "web").getStatus().getPodIP());
                            assertThat(e.getTargetRef().getName()).isEqualTo("web");
                          }));
      EndpointSlice slice =
          client
              .discovery()
              .v1()
              .endpointSlices()
              .inNamespace(LabFixtures.NAMESPACE)
              .list()
              .getItems()
              .get(0);
      assertThat(slice.getPorts())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getPort())
                    .as("named targetPort resolved to the container port")
                    .isEqualTo(8080);
                assertThat(p.getName()).isEqualTo("http");
              });
      assertThat(slice.getMetadata().getLabels())
          .containsEntry(
              "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");

      client.pods().inNamespace(LabFixtures.NAMESPACE).withName("web").delete();

      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () ->
                  assertThat(endpoints(client, "web"))
                      .singleElement()
                      .satisfies(
                          e -> {
                            assertThat(e.getConditions().getReady()).isFalse();
                            assertThat(e.getConditions().getServing()).isTrue();
                            assertThat(e.getConditions().getTerminating()).isTrue();
                          }));
      assertThat(timeline.events(LabEvent.Kind.ENDPOINTS_CHANGED))
          .last()
          .satisfies(
              e -> assertThat(e.detail()).contains("ready=false serving=true terminating=true"));
    }
  }

  @Test
  void podsLeavingTheSelectorLeaveTheSlice() {
    try (LabCluster lab = LabCluster.builder().runtime(new HttpTestRuntime()).start();
        KubernetesClient client = lab.newClient()) {
      client
          .services()
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName("web")
                  .withNamespace(LabFixtures.NAMESPACE)
                  .endMetadata()
                  .withNewSpec()
                  .addToSelector("app", "web")
                  .addNewPort()
                  .withPort(80)
                  .withTargetPort(new IntOrString(8080))
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      client.apps().deployments().resource(LabFixtures.web("web", 2, "web:v1").build()).create();
      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () ->
                  assertThat(endpoints(client, "web"))
                      .hasSize(2)
                      .allSatisfy(e -> assertThat(e.getConditions().getReady()).isTrue()));

      client.apps().deployments().inNamespace(LabFixtures.NAMESPACE).withName("web").scale(1);

      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () ->
                  assertThat(endpoints(client, "web"))
                      .singleElement()
                      .satisfies(e -> assertThat(e.getConditions().getReady()).isTrue()));
    }
  }
}
