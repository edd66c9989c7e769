package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The pod status the kubelet reports for what its containers are doing (pkg/kubelet/status and
 * kubelet_pods.go generateAPIPodStatus): phase, IPs, container statuses and the conditions
 * PodScheduled, Initialized, ContainersReady and Ready. Native sidecars count towards Initialized
 * once started and towards ContainersReady by their readiness (KEP-753). See
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions
 */
final class KubeletPodStatus {

  enum State {
    WAITING,
    RUNNING,
    TERMINATED
  }

  /**
   * One container as the kubelet sees it at this moment.
   *
   * @param message why it is waiting or terminated, e.g. the back-off or the error it exited with;
   *     may be null
   * @param lastTermination how its previous run ended, once it has been restarted; may be null
   */
  record ContainerView(
      String name,
      String image,
      boolean initContainer,
      boolean nativeSidecar,
      State state,
      String reason,
      String message,
      Instant startedAt,
      Instant finishedAt,
      Integer exitCode,
      boolean started,
      boolean ready,
      int restartCount,
      Termination lastTermination) {}

  /** How one run of a container ended: the container status's {@code lastState.terminated}. */
  record Termination(
      int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {}

  private static final Set<String> KUBELET_CONDITIONS =
      Set.of("PodScheduled", "Initialized", "ContainersReady", "Ready");

  private KubeletPodStatus() {}

  /**
   * @param lastReported the status this kubelet wrote last (fresher than the informer's copy), or
   *     {@code null}; conditions keep their lastTransitionTime from it
   */
  static PodStatus compose(
      Pod pod,
      PodStatus lastReported,
      List<ContainerView> containers,
      String hostIp,
      String podIp,
      Instant startTime,
      Instant now) {
    List<ContainerView> init = containers.stream().filter(ContainerView::initContainer).toList();
    List<ContainerView> regular = containers.stream().filter(c -> !c.initContainer()).toList();

    boolean initialized =
        init.stream()
            .allMatch(
                c ->
                    c.nativeSidecar()
                        ? c.started()
                        : c.state() == State.TERMINATED && Objects.equals(c.exitCode(), 0));
    List<String> unready = new ArrayList<>();
    regular.stream().filter(c -> !c.ready()).forEach(c -> unready.add(c.name()));
    init.stream().filter(c -> c.nativeSidecar() && !c.ready()).forEach(c -> unready.add(c.name()));
    boolean containersReady = initialized && unready.isEmpty();
    List<String> gatesNotReady =
        pod.getSpec().getReadinessGates().stream()
            .map(PodReadinessGate::getConditionType)
            .filter(
                type ->
                    !PodConditions.condition(pod, type)
                        .map(c -> "True".equals(c.getStatus()))
                        .orElse(false))
            .toList();

    PodStatus current = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    PodStatus previous = lastReported == null ? current : lastReported;
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition(previous, "PodScheduled", true, null, null, now));
    conditions.add(
        condition(
            previous,
            "Initialized",
            initialized,
            "ContainersNotInitialized",
            "containers with incomplete status: "
                + init.stream().filter(c -> !c.started()).map(ContainerView::name).toList(),
            now));
    String notReady = "containers with unready status: " + unready;
    conditions.add(
        condition(
            previous, "ContainersReady", containersReady, "ContainersNotReady", notReady, now));
    conditions.add(
        condition(
            previous,
            "Ready",
            containersReady && gatesNotReady.isEmpty(),
            containersReady ? "ReadinessGatesNotReady" : "ContainersNotReady",
            containersReady
                ? "corresponding condition of pod readiness gate "
                    + gatesNotReady
                    + " does not exist or is not True"
                : notReady,
            now));
    // Conditions that others own (readiness gates, disruption targets) stay as they are.
    current.getConditions().stream()
        .filter(c -> !KUBELET_CONDITIONS.contains(c.getType()))
        .forEach(conditions::add);

    // A container waiting to be restarted keeps the pod Running ("at least one container is
    // still running, or is in the process of starting or restarting").
    boolean anyStarted =
        regular.stream().anyMatch(c -> c.state() != State.WAITING || c.restartCount() > 0);
    return new PodStatusBuilder()
        .withPhase(initialized && anyStarted ? "Running" : "Pending")
        .withConditions(conditions)
        .withHostIP(hostIp)
        .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(hostIp).build())
        .withPodIP(podIp)
        .withPodIPs(new PodIPBuilder().withIp(podIp).build())
        .withStartTime(DeploymentProgress.timestamp(startTime))
        .withQosClass("BestEffort")
        .withInitContainerStatuses(init.stream().map(KubeletPodStatus::containerStatus).toList())
        .withContainerStatuses(regular.stream().map(KubeletPodStatus::containerStatus).toList())
        .build();
  }

  /** A condition keeps its lastTransitionTime until its status flips. */
  private static PodCondition condition(
      PodStatus previous, String type, boolean status, String reason, String message, Instant now) {
    String value = status ? "True" : "False";
    String since =
        previous.getConditions().stream()
            .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
            .map(PodCondition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(DeploymentProgress.timestamp(now));
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withLastTransitionTime(since)
        .withReason(status ? null : reason)
        .withMessage(status ? null : message)
        .build();
  }

  private static ContainerStatus containerStatus(ContainerView c) {
    ContainerStateBuilder state = new ContainerStateBuilder();
    switch (c.state()) {
      case WAITING ->
          state.withNewWaiting().withReason(c.reason()).withMessage(c.message()).endWaiting();
      case RUNNING ->
          state
              .withNewRunning()
              .withStartedAt(DeploymentProgress.timestamp(c.startedAt()))
              .endRunning();
      case TERMINATED ->
          state.withTerminated(
              terminated(
                  new Termination(
                      c.exitCode(), c.reason(), c.message(), c.startedAt(), c.finishedAt())));
    }
    ContainerStateBuilder last = new ContainerStateBuilder();
    if (c.lastTermination() != null) {
      last.withTerminated(terminated(c.lastTermination()));
    }
    return new ContainerStatusBuilder()
        .withName(c.name())
        .withImage(c.image())
        .withImageID(c.image())
        .withContainerID(c.state() == State.WAITING ? null : "lab://" + c.name())
        .withReady(c.ready())
        .withStarted(c.state() == State.RUNNING && c.started())
        .withRestartCount(c.restartCount())
        .withState(state.build())
        .withLastState(last.build())
        .build();
  }

  private static ContainerStateTerminated terminated(Termination t) {
    return new ContainerStateTerminatedBuilder()
        .withExitCode(t.exitCode())
        .withReason(t.reason())
        .withMessage(t.message())
        .withStartedAt(t.startedAt() == null ? null : DeploymentProgress.timestamp(t.startedAt()))
        .withFinishedAt(
            t.finishedAt() == null ? null : DeploymentProgress.timestamp(t.finishedAt()))
        .build();
  }
}
