package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The last-change-trigger-time follows trigger_time_tracker.go: the earliest pod or Service change
 * since the previous sync.
 */
class EndpointTriggerTimesTest {

  private static final String KEY = "demo/web";
  private static final Service SERVICE =
      new ServiceBuilder()
          .withNewMetadata()
          .withName("web")
          .withNamespace("demo")
          .withCreationTimestamp("2030-01-01T00:00:00Z")
          .endMetadata()
          .build();

  private final EndpointTriggerTimes times = new EndpointTriggerTimes();

  @Test
  void theFirstSyncOfAServiceExportsItsCreationTime() {
    assertThat(times.compute(KEY, SERVICE, List.of(pod("a", "True", "2030-01-01T00:00:05Z"))))
        .contains(Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void laterSyncsExportTheEarliestReadyTransitionThatMovedSinceThePreviousSync() {
    times.compute(
        KEY,
        SERVICE,
        List.of(
            pod("a", "True", "2030-01-01T00:00:05Z"), pod("b", "False", "2030-01-01T00:00:06Z")));

    assertThat(
            times.compute(
                KEY,
                SERVICE,
                List.of(
                    pod("a", "True", "2030-01-01T00:00:05Z"),
                    pod("b", "True", "2030-01-01T00:00:09Z"),
                    pod("c", "False", "2030-01-01T00:00:08Z"))))
        .as("b moved at :09, c appeared at :08; a did not move")
        .contains(Instant.parse("2030-01-01T00:00:08Z"));
  }

  @Test
  void aSyncWhereNoTriggerMovedExportsNothing() {
    List<Pod> pods = List.of(pod("a", "True", "2030-01-01T00:00:05Z"));
    times.compute(KEY, SERVICE, pods);

    // A pod deleted while still Ready changes its endpoint (terminating) but not its Ready
    // condition: on a cluster that change carries no trigger time either.
    assertThat(times.compute(KEY, SERVICE, pods)).isEmpty();
  }

  @Test
  void aForgottenServiceStartsOverFromItsCreationTime() {
    List<Pod> pods = List.of(pod("a", "True", "2030-01-01T00:00:05Z"));
    times.compute(KEY, SERVICE, pods);
    times.forget(KEY);
    assertThat(times.compute(KEY, SERVICE, pods)).contains(Instant.parse("2030-01-01T00:00:00Z"));
  }

  private static Pod pod(String name, String ready, String since) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("demo")
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .withLastTransitionTime(since)
        .endCondition()
        .endStatus()
        .build();
  }
}
