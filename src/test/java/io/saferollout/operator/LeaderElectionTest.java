package io.saferollout.operator;

import static io.saferollout.operator.OperatorHarness.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.cluster.IdleContainers;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.operator.health.OperatorHealth.Leadership;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two operator instances against the lab's API compete for one Lease: only the leader patches; when
 * the leader dies without releasing the Lease, the standby takes over once it expires, and nothing
 * is patched twice.
 */
@io.saferollout.WallClockTest
class LeaderElectionTest {

  @Test
  void theStandbyTakesOverWhenTheLeaderDiesAndNothingIsPatchedTwice() throws Exception {
    var timing = OperatorSettings.LeaseTiming.DEFAULT.inProcess();
    try (LabCluster lab = LabCluster.builder().runtime(IdleContainers.runtime()).start()) {
      KubernetesClient admin = lab.newClient();
      OperatorHarness.installCrd(admin);
      // Counts every change of a Deployment's spec or of SafeRollout's record on it: a second
      // hardening patch would show up here (the lab's controllers touch only status and revisions).
      Map<String, Deployment> last = new ConcurrentHashMap<>();
      AtomicInteger hardeningWrites = new AtomicInteger();
      var watch =
          admin
              .apps()
              .deployments()
              .inNamespace(NS)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                      Deployment before = last.put(d.getMetadata().getName(), d);
                      if (action == Action.MODIFIED
                          && before != null
                          && (!Objects.equals(before.getSpec(), d.getSpec())
                              || !Objects.equals(record(before), record(d)))) {
                        hardeningWrites.incrementAndGet();
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });

      KubernetesClient firstClient = lab.newClient();
      SafeRolloutOperator first =
          new SafeRolloutOperator(
              firstClient,
              OperatorSettings.singleInstance().withLeaderElection(NS, "first", timing),
              new SimpleMeterRegistry());
      first.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> first.leadership() == Leadership.LEADER);
      SafeRolloutOperator second =
          new SafeRolloutOperator(
              lab.newClient(),
              OperatorSettings.singleInstance().withLeaderElection(NS, "second", timing),
              new SimpleMeterRegistry());
      second.start();
      try {
        assertThat(second.leadership()).isEqualTo(Leadership.STANDBY);
        assertThat(second.health().ready()).as("a healthy standby is ready").isTrue();
        assertThat(second.health().describe()).contains("standby");

        admin
            .apps()
            .deployments()
            .inNamespace(NS)
            .resource(OperatorHarness.deployment("web", Map.of()))
            .create();
        admin
            .resources(SafeRollout.class)
            .inNamespace(NS)
            .resource(immediately(OperatorHarness.safeRollout("web", TargetRef.byName("web"))))
            .create();
        await().atMost(Duration.ofSeconds(30)).until(() -> phase(admin, "web") == Phase.Hardened);
        await()
            .pollDelay(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(10))
            .until(() -> hardeningWrites.get() >= 1);
        int writesBeforeFailover = hardeningWrites.get();
        assertThat(second.reconcileCount()).as("the standby does not reconcile").isZero();

        // The leader dies: its connection goes first, so it can neither renew nor release the
        // Lease.
        long died = System.nanoTime();
        firstClient.close();
        first.close();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> second.leadership() == Leadership.LEADER);
        double takeoverSeconds = (System.nanoTime() - died) / 1e9;
        System.out.printf(
            "leader failover: the standby led %.1f s after the leader died (lease %s, retry %s)%n",
            takeoverSeconds, timing.duration(), timing.retryPeriod());
        // The standby may only take over once the dead leader's last renewal is a lease duration
        // old. The leader renews every retry period, stretched by fabric8's jitter (factor 1.2, so
        // up to 2.2 periods): its last renewal was at most ~3 periods before it died, and the
        // standby, retrying just as often, notices the expiry at most ~3 periods after it.
        // 5 s more for a loaded machine.
        double earliest =
            timing.duration().minus(timing.retryPeriod().multipliedBy(3)).toMillis() / 1000.0;
        double latest =
            timing.duration().plus(timing.retryPeriod().multipliedBy(3)).plusSeconds(5).toMillis()
                / 1000.0;
        assertThat(takeoverSeconds)
            .as(
                "the standby respects the dead leader's lease, then takes over within a few retry periods")
            .isBetween(earliest, latest);

        await().atMost(Duration.ofSeconds(30)).until(() -> second.reconcileCount() >= 1);
        admin
            .apps()
            .deployments()
            .inNamespace(NS)
            .resource(OperatorHarness.deployment("cart", Map.of()))
            .create();
        admin
            .resources(SafeRollout.class)
            .inNamespace(NS)
            .resource(immediately(OperatorHarness.safeRollout("cart", TargetRef.byName("cart"))))
            .create();
        await().atMost(Duration.ofSeconds(30)).until(() -> phase(admin, "cart") == Phase.Hardened);
        await()
            .pollDelay(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(10))
            .until(() -> hardeningWrites.get() >= writesBeforeFailover + 1);
        assertThat(hardeningWrites.get())
            .as(
                "the new leader hardened the new Deployment once and did not patch the old one again")
            .isEqualTo(writesBeforeFailover + 1);
      } finally {
        second.close();
        watch.close();
      }
    }
  }

  /**
   * The lab rolls the Deployment out at once; the SafeRollout must not wait for a later rollout.
   */
  private static SafeRollout immediately(SafeRollout sr) {
    sr.getSpec().setAdoption(io.saferollout.api.Adoption.Immediately);
    return sr;
  }

  private static String record(Deployment d) {
    return d.getMetadata().getAnnotations() == null
        ? null
        : d.getMetadata().getAnnotations().get(AppliedChangesRecord.ANNOTATION);
  }

  private static Phase phase(KubernetesClient client, String name) {
    SafeRollout sr = client.resources(SafeRollout.class).inNamespace(NS).withName(name).get();
    return sr == null || sr.getStatus() == null ? null : sr.getStatus().getPhase();
  }
}
