package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KubeletDecisionsTest {

  private static final SimulatedVersion V133 = SimulatedVersion.parse("1.33");

  private static Container withExec(String... command) {
    return new ContainerBuilder()
        .withName("app")
        .withNewLifecycle()
        .withNewPreStop()
        .withNewExec()
        .withCommand(command)
        .endExec()
        .endPreStop()
        .endLifecycle()
        .build();
  }

  @Test
  void execSleepsAreRecognisedAndOtherCommandsAreNot() {
    assertThat(PreStopHook.of(withExec("/bin/sh", "-c", "sleep 15;"), V133))
        .isEqualTo(new PreStopHook.Sleep(Duration.ofSeconds(15)));
    assertThat(PreStopHook.of(withExec("sh", "-c", "sleep 2.5"), V133))
        .isEqualTo(new PreStopHook.Sleep(Duration.ofMillis(2500)));
    assertThat(PreStopHook.of(withExec("sleep", "5"), V133))
        .isEqualTo(new PreStopHook.Sleep(Duration.ofSeconds(5)));
    assertThat(PreStopHook.of(withExec("/bin/sh", "-c", "nginx -s quit; sleep 5"), V133))
        .isInstanceOf(PreStopHook.UnrecognisedExec.class);
    assertThat(PreStopHook.of(new ContainerBuilder().withName("app").build(), V133))
        .isEqualTo(new PreStopHook.None());
  }

  @Test
  void sleepActionNeedsKubernetes130() {
    Container sleeper =
        new ContainerBuilder()
            .withName("app")
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep()
            .withSeconds(7L)
            .endSleep()
            .endPreStop()
            .endLifecycle()
            .build();
    assertThat(PreStopHook.of(sleeper, SimulatedVersion.parse("1.30")))
        .isEqualTo(new PreStopHook.Sleep(Duration.ofSeconds(7)));
    assertThat(PreStopHook.of(sleeper, SimulatedVersion.parse("1.29")))
        .isEqualTo(new PreStopHook.UnsupportedSleep(7));
  }

  @Test
  void probeResultChangesOnlyAtItsThresholds() {
    ProbeTracker tracker = new ProbeTracker(2, 3, false);
    assertThat(tracker.record(true)).isFalse();
    assertThat(tracker.record(true)).isTrue();
    assertThat(tracker.result()).isTrue();
    assertThat(tracker.record(false)).isFalse();
    assertThat(tracker.record(false)).isFalse();
    assertThat(tracker.record(true)).as("a success resets the failure run").isFalse();
    assertThat(tracker.record(false)).isFalse();
    assertThat(tracker.record(false)).isFalse();
    assertThat(tracker.record(false)).isTrue();
    assertThat(tracker.result()).isFalse();
  }

  private static Pod pod(
      String name, String node, String phase, boolean ready, String readySince, String created) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withCreationTimestamp(created)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .endStatus();
    if (ready) {
      b.editStatus()
          .addNewCondition()
          .withType("Ready")
          .withStatus("True")
          .withLastTransitionTime(readySince)
          .endCondition()
          .endStatus();
    }
    return b.build();
  }

  @Test
  void scaleDownRankingPrefersTheCheapestPods() {
    List<Pod> pods =
        new ArrayList<>(
            List.of(
                pod(
                    "ready-long",
                    "n",
                    "Running",
                    true,
                    "2030-01-01T00:00:00Z",
                    "2030-01-01T00:00:00Z"),
                pod(
                    "ready-recent",
                    "n",
                    "Running",
                    true,
                    "2030-01-01T00:05:00Z",
                    "2030-01-01T00:00:00Z"),
                pod("running-unready", "n", "Running", false, null, "2030-01-01T00:00:00Z"),
                pod("pending", "n", "Pending", false, null, "2030-01-01T00:00:00Z"),
                pod("unscheduled", null, "Pending", false, null, "2030-01-01T00:00:00Z")));
    java.util.Collections.shuffle(pods, new Random(7));
    pods.sort(PodDeletionRanking.DELETE_FIRST);
    assertThat(pods)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("unscheduled", "pending", "running-unready", "ready-recent", "ready-long");
  }

  @Test
  void podIpsAreUniqueLoopbackAddressesOutside127_0_0() {
    PodIpAllocator ips = new PodIpAllocator(201);
    String a = ips.allocate();
    String b = ips.allocate();
    // 127.201.0.x is the lab's own (its range claim, its nodes): pods start at 127.201.1.1.
    assertThat(a).isEqualTo("127.201.1.1");
    assertThat(b).isNotEqualTo(a).startsWith("127.201.1.");
    ips.release(a);
    assertThat(ips.allocate()).as("a released address is not reused at once").isNotEqualTo(a);
  }

  @Test
  void templateHashIgnoresTheHashLabelAndEmptyFields() {
    var template = LabFixtures.web("web", 1, "web:v1").build().getSpec().getTemplate();
    var labelled =
        new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(template)
            .editMetadata()
            .addToLabels(PodTemplateHash.LABEL, "abc")
            .addToAnnotations(java.util.Map.of())
            .endMetadata()
            .build();
    assertThat(PodTemplateHash.equalIgnoringHash(template, labelled)).isTrue();
    assertThat(PodTemplateHash.of(template, 0))
        .isEqualTo(PodTemplateHash.of(labelled, 0))
        .matches("[bcdfghjklmnpqrstvwxz2456789]+");
    var changed = LabFixtures.web("web", 1, "web:v2").build().getSpec().getTemplate();
    assertThat(PodTemplateHash.of(template, 0)).isNotEqualTo(PodTemplateHash.of(changed, 0));
  }
}
