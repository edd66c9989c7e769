package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanPodStoreTest {

  @Test
  void keepsWhatRolloutObservationReadsAndDropsTheRest() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("web-abc-1")
            .withNamespace("shop")
            .withUid("u1")
            .withResourceVersion("7")
            .withLabels(Map.of("app", "web", "pod-template-hash", "abc"))
            .withAnnotations(Map.of("big", "x".repeat(10_000)))
            .addNewOwnerReference()
            .withKind("ReplicaSet")
            .withName("web-abc")
            .withController(true)
            .endOwnerReference()
            .withDeletionTimestamp("2026-11-28T07:00:30Z")
            .withDeletionGracePeriodSeconds(30L)
            .addNewManagedField()
            .withManager("kubectl")
            .endManagedField()
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-1")
            .addNewContainer()
            .withName("web")
            .withImage("example/web:1")
            .addNewEnv()
            .withName("SECRET_ISH")
            .withValue("value")
            .endEnv()
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep()
            .withSeconds(5L)
            .endSleep()
            .endPreStop()
            .endLifecycle()
            .endContainer()
            .addNewVolume()
            .withName("data")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("10.0.0.1")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("True")
            .endCondition()
            .addNewContainerStatus()
            .withName("web")
            .withReady(true)
            .endContainerStatus()
            .endStatus()
            .build();

    Pod lean = LeanPodStore.prune(pod);

    assertThat(lean.getMetadata().getLabels()).containsEntry("pod-template-hash", "abc");
    assertThat(lean.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("web-abc"));
    assertThat(lean.getMetadata().getDeletionTimestamp()).isEqualTo("2026-11-28T07:00:30Z");
    assertThat(lean.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
    assertThat(
            lean.getSpec()
                .getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop()
                .getSleep()
                .getSeconds())
        .isEqualTo(5L);
    assertThat(lean.getStatus().getConditions())
        .singleElement()
        .satisfies(c -> assertThat(c.getType()).isEqualTo("Ready"));
    assertThat(EndpointRemovalClock.deploymentOf(lean)).contains("web");

    assertThat(lean.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(lean.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(lean.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty();
    assertThat(lean.getSpec().getContainers().get(0).getImage()).isNull();
    assertThat(lean.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(lean.getStatus().getContainerStatuses()).isNullOrEmpty();
  }
}
