package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LabClusterLifecycleTest {

  private static Set<String> labThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("lab-") || name.startsWith("vert.x-"))
        .collect(Collectors.toSet());
  }

  private static Set<String> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .map(Thread::getName)
        // Awaitility polls on a thread of its own while it waits.
        .filter(name -> !name.startsWith("awaitility"))
        .collect(Collectors.toSet());
  }

  @Test
  void closeStopsEveryThreadAndPodProcess() {
    Set<String> nonDaemonBefore = nonDaemonThreads();
    HttpTestRuntime runtime = new HttpTestRuntime();
    LabCluster lab = LabCluster.builder().runtime(runtime).start();
    KubernetesClient client = lab.newClient();
    client.apps().deployments().resource(LabFixtures.web("web", 2, "web:v1").build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> LabFixtures.readyPods(client, "web") == 2);
    assertThat(labThreads()).isNotEmpty();

    lab.close();

    // Thread pools finish their last task after shutdown; wait for them rather than sleep.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(labThreads()).isEmpty();
              assertThat(nonDaemonThreads()).isSubsetOf(nonDaemonBefore);
            });
    assertThat(runtime.happenings()).filteredOn(h -> h.what().equals("SIGKILL")).hasSize(2);
  }
}
