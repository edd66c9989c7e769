package io.saferollout.lab.scenario;

import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.load.ClientMix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The catalogue of things that happen to a Deployment in production, each run against the naive
 * workload and the same workload under SafeRollout: the seed article asks for exactly this test
 * ("randomly kill the pod during the test ... check if the responses contain 500 or 503").
 */
public enum Scenario {
  ROLLING_UPDATE(
      "rolling-update",
      "image changes, one rolling update after another",
      2,
      0,
      RolloutKind.IMAGE_CHANGE),
  RESTART("restart", "kubectl rollout restart (restartedAt annotation)", 2, 0, RolloutKind.RESTART),
  SCALE_DOWN("scale-down", "scale down by one pod and back up", 2, 0, RolloutKind.SCALE_DOWN),
  POD_KILLS(
      "pod-kills", "random pod deletions during steady traffic", 0, 4, RolloutKind.IMAGE_CHANGE),
  KILLS_DURING_ROLLOUT(
      "kills-during-rollout",
      "a pod deleted while a rolling update is going",
      2,
      0,
      RolloutKind.IMAGE_CHANGE_WITH_KILL),
  NODE_DRAIN(
      "node-drain",
      "kubectl drain: every pod evicted through the eviction API under a PodDisruptionBudget",
      1,
      0,
      RolloutKind.NODE_DRAIN),
  ONE_REPLICA(
      "one-replica",
      "one replica: a rolling update and a kill (every endpoint terminating, KEP-1669)",
      1,
      1,
      RolloutKind.IMAGE_CHANGE),
  KEEPALIVE(
      "keepalive",
      "keep-alive clients only; hardened app that exits at once vs graceful app",
      1,
      1,
      RolloutKind.IMAGE_CHANGE),
  MIX(
      "mix",
      "image change, restart, scale-down and node drain, with random pod kills in between",
      4,
      3,
      RolloutKind.IMAGE_CHANGE,
      RolloutKind.RESTART,
      RolloutKind.SCALE_DOWN,
      RolloutKind.NODE_DRAIN);

  private final String id;
  private final String description;
  private final int defaultRollouts;
  private final int defaultKills;
  private final List<RolloutKind> rolloutKinds;

  Scenario(
      String id, String description, int defaultRollouts, int defaultKills, RolloutKind... kinds) {
    this.id = id;
    this.description = description;
    this.defaultRollouts = defaultRollouts;
    this.defaultKills = defaultKills;
    this.rolloutKinds = List.of(kinds);
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public int defaultRollouts() {
    return defaultRollouts;
  }

  public int defaultKills() {
    return defaultKills;
  }

  /**
   * Rollouts and kills interleaved (rollout 1, kill 1, rollout 2, ...); rollouts cycle through the
   * scenario's kinds.
   */
  public List<Step> steps(int rollouts, int kills) {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < Math.max(rollouts, kills); i++) {
      if (i < rollouts) {
        steps.add(new Step.Rollout(rolloutKinds.get(i % rolloutKinds.size())));
      }
      if (i < kills) {
        steps.add(new Step.Kill());
      }
    }
    return steps;
  }

  /**
   * The runs to compare. Every scenario but {@code keepalive}: the naive Deployment and the same
   * Deployment hardened, both with the same app. {@code keepalive}: the same hardening twice, once
   * with an app that exits at once on SIGTERM (a control: its keep-alive connections, pinned to the
   * pod by kube-proxy, are reset whatever the preStop delay) and once with a graceful app.
   */
  public List<Arm> arms(ShutdownStyle app) {
    if (this == KEEPALIVE) {
      return List.of(
          Arm.hardenedControl(ShutdownStyle.IMMEDIATE), Arm.hardened(ShutdownStyle.GRACEFUL));
    }
    return List.of(Arm.naive(app), Arm.hardened(app));
  }

  /** The clients: keep-alive only for {@code keepalive}, else the load generator's default mix. */
  public ClientMix clientMix() {
    return this == KEEPALIVE ? ClientMix.keepAliveOnly() : ClientMix.DEFAULT;
  }

  /**
   * A service time the scenario is about, if any: {@code keepalive}'s requests take 50-100 ms, so
   * each pod holds several in flight on its pinned connections when SIGTERM comes, as an API doing
   * real work does; with 5-20 ms requests at demo rates a pod rarely holds even one.
   */
  public Optional<LabWorkload.ServiceTime> serviceTime() {
    return this == KEEPALIVE
        ? Optional.of(new LabWorkload.ServiceTime(Duration.ofMillis(50), Duration.ofMillis(100)))
        : Optional.empty();
  }

  /** A replica count the scenario is about, if any. */
  public OptionalInt replicas() {
    return this == ONE_REPLICA ? OptionalInt.of(1) : OptionalInt.empty();
  }

  /** Whether the scenario's steps need a PodDisruptionBudget (a drain honours one). */
  public boolean needsDisruptionBudget() {
    return rolloutKinds.contains(RolloutKind.NODE_DRAIN);
  }

  /** Whether some step scales down by one, which needs at least 2 replicas. */
  public boolean scalesDown(int rollouts) {
    return steps(rollouts, 0).stream()
        .anyMatch(s -> s instanceof Step.Rollout r && r.kind() == RolloutKind.SCALE_DOWN);
  }

  public static Optional<Scenario> byId(String id) {
    String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst();
  }

  /** "rolling-update, restart, ..." for error messages and help. */
  public static String ids() {
    return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
