package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.cluster.ControlPlaneKind;
import io.saferollout.lab.scenario.Arm;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.Scenario;
import io.saferollout.lab.scenario.ScenarioPlan;
import io.saferollout.lab.scenario.ScenarioRun;
import io.saferollout.realapi.RealApiTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated control plane against the real one, from what the lab's watches see: the same
 * rolling update (3 replicas, maxSurge 1, maxUnavailable 0, a readiness probe and a 2 s preStop)
 * with the same seed, once on each, one after the other: the ReplicaSet scale steps, each pod's
 * distinct endpoint conditions by role (old, new), the trigger time on the slice writes that make a
 * pod ready, and the requests a naive app loses per pod kill under load (within 30 %).
 */
@RealApiTest
@Timeout(300)
class ControlPlanesAgreeTest {

  private static final Logger log = LoggerFactory.getLogger(ControlPlanesAgreeTest.class);
  private static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
  private static final long SEED = 7;
  private static final int KILLS = 8;
  private static final double KILL_RATE = 300;

  /** One scale step of a ReplicaSet during the rollout. */
  record ScaleStep(String role, int replicas) {
    @Override
    public String toString() {
      return role + " " + replicas;
    }
  }

  /** An endpoint's conditions as one write of its slice showed them. */
  record Conditions(boolean ready, boolean serving, boolean terminating) {
    @Override
    public String toString() {
      return "(r=" + ready + ",s=" + serving + ",t=" + terminating + ")";
    }
  }

  /** A slice write that made some endpoint ready, and whether it carried the trigger time. */
  record ReadyWrite(String pod, boolean triggerTime) {}

  /** What one control plane did during the rollout. */
  record Observed(
      List<ScaleStep> steps,
      Map<String, TreeSet<String>> conditionsByRole,
      List<ReadyWrite> readyWrites,
      List<String> writes) {}

  @Test
  void bothControlPlanesRollOutAlike() throws Exception {
    Observed simulated = rollOut(ControlPlaneKind.SIMULATED, 91);
    Observed real = rollOut(ControlPlaneKind.REAL, 92);

    assertThat(simulated.steps())
        .as(
            "ReplicaSet scale steps differ:%n simulated %s%n real      %s",
            simulated.steps(), real.steps())
        .isEqualTo(real.steps())
        .isEqualTo(
            List.of(
                // Both create the new ReplicaSet at 0 and then scale it.
                new ScaleStep("new", 0),
                new ScaleStep("new", 1),
                new ScaleStep("old", 2),
                new ScaleStep("new", 2),
                new ScaleStep("old", 1),
                new ScaleStep("new", 3),
                new ScaleStep("old", 0)));

    assertThat(simulated.conditionsByRole())
        .as(
            "endpoint condition sequences per pod role differ:%n simulated %s%n real      %s",
            simulated.conditionsByRole(), real.conditionsByRole())
        .isEqualTo(real.conditionsByRole());

    for (Observed side : List.of(simulated, real)) {
      String name = side == simulated ? "simulated" : "real";
      assertThat(side.readyWrites())
          .as(
              "on the %s control plane, slice writes that made a pod ready without %s:%n"
                  + " simulated %s%n real      %s",
              name, TRIGGER_TIME, simulated.writes(), real.writes())
          .hasSize(3)
          .allMatch(ReadyWrite::triggerTime);
    }

    double simulatedLoss = lostPerKill(ControlPlaneKind.SIMULATED, 93);
    double realLoss = lostPerKill(ControlPlaneKind.REAL, 94);
    log.warn(
        "requests lost per pod kill ({} kills at {}/s, naive app): simulated {}, real {}",
        KILLS,
        KILL_RATE,
        String.format("%.1f", simulatedLoss),
        String.format("%.1f", realLoss));
    assertThat(simulatedLoss)
        .as(
            "requests lost per pod kill differ by more than 30 %%: simulated %.1f, real %.1f",
            simulatedLoss, realLoss)
        .isCloseTo(realLoss, org.assertj.core.data.Percentage.withPercentage(30));
  }

  private static Observed rollOut(ControlPlaneKind kind, int podNetwork) throws Exception {
    try (Lab lab = Lab.start(settings(kind, podNetwork))) {
      LabWorkload workload = LabWorkload.articleDefaults().withShutdown(ShutdownStyle.GRACEFUL);
      lab.deploy(workload);
      // Readiness probe and preStop as the colleague's comparison; the default strategy of a
      // 3-replica Deployment is maxSurge 1 (25 % rounded up), maxUnavailable 0 (rounded down).
      editDeployment(lab, workload, ControlPlanesAgreeTest::withProbeAndPreStop);
      awaitRolledOut(lab, workload, "v1");
      String oldReplicaSet = currentReplicaSet(lab);

      List<ReplicaSet> replicaSets = new CopyOnWriteArrayList<>();
      List<EndpointSlice> slices = new CopyOnWriteArrayList<>();
      try (Watch rsWatch = watchReplicaSets(lab, replicaSets);
          Watch sliceWatch = watchSlices(lab, workload, slices)) {
        editDeployment(
            lab,
            workload,
            d -> {
              d.getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .setImage(LabWorkload.IMAGE_REPOSITORY + ":v2");
              return d;
            });
        awaitRolledOut(lab, workload, "v2");
        // The last slice write (the old pod's removal) may trail the pods' deletion.
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> !slices.isEmpty() && onlyNewPods(slices, oldReplicaSet));
      }
      return observe(List.copyOf(replicaSets), List.copyOf(slices), oldReplicaSet);
    }
  }

  /** The controllers write the Deployment's status meanwhile; retry on their conflicts. */
  private static void editDeployment(
      Lab lab, LabWorkload workload, UnaryOperator<Deployment> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        lab.client()
            .apps()
            .deployments()
            .inNamespace(Lab.NAMESPACE)
            .withName(workload.name())
            .edit(change);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) {
          throw e;
        }
      }
    }
  }

  private static Deployment withProbeAndPreStop(Deployment d) {
    var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    container.setReadinessProbe(
        new io.fabric8.kubernetes.api.model.ProbeBuilder()
            .withNewHttpGet()
            .withPath(LabWorkload.HEALTH_PATH)
            .withNewPort(LabWorkload.PORT)
            .endHttpGet()
            .withPeriodSeconds(1)
            .build());
    container.setLifecycle(
        new io.fabric8.kubernetes.api.model.LifecycleBuilder()
            .withNewPreStop()
            .withNewSleep(2L)
            .endPreStop()
            .build());
    return d;
  }

  private static Observed observe(
      List<ReplicaSet> replicaSets, List<EndpointSlice> slices, String oldReplicaSet) {
    List<ScaleStep> steps = new ArrayList<>();
    Map<String, Integer> lastReplicas = new HashMap<>();
    for (ReplicaSet rs : replicaSets) {
      String name = rs.getMetadata().getName();
      int replicas = rs.getSpec().getReplicas();
      Integer last = lastReplicas.put(name, replicas);
      boolean old = name.equals(oldReplicaSet);
      // The old ReplicaSet's first sight is the watch's initial state, not a step.
      if ((last == null && !old) || (last != null && last != replicas)) {
        steps.add(new ScaleStep(old ? "old" : "new", replicas));
      }
    }

    Map<String, List<Conditions>> byPod = new LinkedHashMap<>();
    Map<String, Map<String, Conditions>> lastBySlice = new HashMap<>();
    List<ReadyWrite> readyWrites = new ArrayList<>();
    List<String> writes = new ArrayList<>();
    for (EndpointSlice slice : slices) {
      Map<String, Conditions> previous =
          lastBySlice.getOrDefault(slice.getMetadata().getName(), Map.of());
      Map<String, Conditions> now = new HashMap<>();
      boolean trigger =
          slice.getMetadata().getAnnotations() != null
              && slice.getMetadata().getAnnotations().containsKey(TRIGGER_TIME);
      for (Endpoint e : endpoints(slice)) {
        String pod = e.getTargetRef().getName();
        Conditions c =
            new Conditions(
                Boolean.TRUE.equals(e.getConditions().getReady()),
                Boolean.TRUE.equals(e.getConditions().getServing()),
                Boolean.TRUE.equals(e.getConditions().getTerminating()));
        now.put(pod, c);
        List<Conditions> seq = byPod.computeIfAbsent(pod, p -> new ArrayList<>());
        if (seq.isEmpty() || !seq.get(seq.size() - 1).equals(c)) {
          seq.add(c);
        }
        Conditions before = previous.get(pod);
        if (c.ready() && (before == null || !before.ready()) && !previous.isEmpty()) {
          readyWrites.add(new ReadyWrite(pod, trigger));
        }
      }
      lastBySlice.put(slice.getMetadata().getName(), now);
      writes.add((trigger ? "trigger " : "none    ") + roles(now, oldReplicaSet));
    }

    Map<String, TreeSet<String>> byRole = new LinkedHashMap<>();
    byPod.forEach(
        (pod, seq) ->
            byRole
                .computeIfAbsent(role(pod, oldReplicaSet), r -> new TreeSet<>())
                .add(seq.toString()));
    return new Observed(steps, byRole, readyWrites, writes);
  }

  private static String roles(Map<String, Conditions> endpoints, String oldReplicaSet) {
    List<String> shown = new ArrayList<>();
    endpoints.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> shown.add(role(e.getKey(), oldReplicaSet) + e.getValue()));
    return shown.toString();
  }

  private static String role(String pod, String oldReplicaSet) {
    return pod.startsWith(oldReplicaSet + "-") ? "old" : "new";
  }

  private static List<Endpoint> endpoints(EndpointSlice slice) {
    return slice.getEndpoints() == null
        ? List.of()
        : slice.getEndpoints().stream().filter(e -> e.getTargetRef() != null).toList();
  }

  private static boolean onlyNewPods(List<EndpointSlice> slices, String oldReplicaSet) {
    EndpointSlice last = slices.get(slices.size() - 1);
    List<Endpoint> endpoints = endpoints(last);
    return endpoints.size() == 3
        && endpoints.stream()
            .allMatch(
                e ->
                    role(e.getTargetRef().getName(), oldReplicaSet).equals("new")
                        && Boolean.TRUE.equals(e.getConditions().getReady()));
  }

  private static Watch watchReplicaSets(Lab lab, List<ReplicaSet> seen) {
    return lab.client()
        .apps()
        .replicaSets()
        .inNamespace(Lab.NAMESPACE)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, ReplicaSet rs) {
                if (action != Action.DELETED) {
                  seen.add(rs);
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static Watch watchSlices(Lab lab, LabWorkload workload, List<EndpointSlice> seen) {
    return lab.client()
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(Lab.NAMESPACE)
        .withLabel("kubernetes.io/service-name", workload.name())
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, EndpointSlice slice) {
                if (action != Action.DELETED) {
                  seen.add(slice);
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static void awaitRolledOut(Lab lab, LabWorkload workload, String version) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .alias("3 ready pods of " + version + " and no other pod")
        .until(
            () -> {
              var pods = lab.client().pods().inNamespace(Lab.NAMESPACE).list().getItems();
              return pods.size() == workload.replicas()
                  && pods.stream()
                      .allMatch(
                          p ->
                              p.getMetadata().getDeletionTimestamp() == null
                                  && p.getSpec()
                                      .getContainers()
                                      .get(0)
                                      .getImage()
                                      .endsWith(":" + version)
                                  && p.getSpec().getContainers().get(0).getReadinessProbe() != null
                                  && p.getStatus() != null
                                  && p.getStatus().getConditions() != null
                                  && p.getStatus().getConditions().stream()
                                      .anyMatch(
                                          c ->
                                              "Ready".equals(c.getType())
                                                  && "True".equals(c.getStatus())));
            });
  }

  private static String currentReplicaSet(Lab lab) {
    return lab.client().apps().replicaSets().inNamespace(Lab.NAMESPACE).list().getItems().stream()
        .filter(rs -> Objects.equals(rs.getSpec().getReplicas(), 3))
        .map(rs -> rs.getMetadata().getName())
        .findFirst()
        .orElseThrow();
  }

  private static double lostPerKill(ControlPlaneKind kind, int podNetwork)
      throws InterruptedException {
    try (Lab lab = Lab.start(settings(kind, podNetwork))) {
      ScenarioPlan plan = ScenarioPlan.of(Scenario.POD_KILLS, KILL_RATE, SEED).withCounts(0, KILLS);
      RunResult r =
          new ScenarioRun(
                  lab, LabWorkload.articleDefaults(), plan, Arm.naive(ShutdownStyle.IMMEDIATE))
              .execute()
              .result();
      log.warn(
          "{}: {} kills, {} requests, {} failed {}",
          kind,
          r.kills(),
          r.requests(),
          r.failed(),
          r.failuresByClass());
      return (double) r.failed() / r.kills();
    }
  }

  private static LabSettings settings(ControlPlaneKind kind, int podNetwork) {
    return LabSettings.defaults().withSeed(SEED).withPodNetwork(podNetwork).withControlPlane(kind);
  }
}
