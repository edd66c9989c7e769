package io.saferollout.verify;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.saferollout.load.LoadGenerator;
import io.saferollout.load.LoadPlan;
import io.saferollout.load.LoadReport;
import io.saferollout.load.TargetScope;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed article's test against a cluster: "run a load test, roll out and randomly kill pods,
 * count the non-2xx responses". Load runs from before the first disturbance until after the last
 * pod change, so both dangerous moments (a new pod starting, an old one stopping) are measured.
 */
public final class RolloutVerification {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutVerification.class);

  /**
   * The annotation {@code kubectl rollout restart} sets; any change to the template starts a
   * rollout.
   */
  public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  private static final Duration POLL = Duration.ofMillis(200);

  private final KubernetesClient client;
  private final TargetScope scope;

  /**
   * @param scope which hosts the load may go to ({@link TargetScope#ANY} for a real cluster)
   */
  public RolloutVerification(KubernetesClient client, TargetScope scope) {
    this.client = client;
    this.scope = scope;
  }

  /**
   * Runs the plan. Returns once the load has stopped.
   *
   * @throws IllegalArgumentException when the Deployment does not exist or the URL is not usable
   */
  public VerifyResult run(VerifyPlan plan) throws InterruptedException {
    RollableScalableResource<Deployment> target =
        client.apps().deployments().inNamespace(plan.namespace()).withName(plan.deployment());
    Deployment deployment = target.get();
    if (deployment == null) {
      throw new IllegalArgumentException(
          "Deployment " + plan.namespace() + "/" + plan.deployment() + " not found");
    }
    LoadPlan load =
        LoadPlan.builder()
            .target(plan.url())
            .ratePerSecond(plan.ratePerSecond())
            .requestTimeout(plan.requestTimeout())
            .scope(scope)
            .build();
    List<VerifyResult.Action> actions = new ArrayList<>();
    Random random = new Random(plan.seed());
    boolean completed = true;
    LoadReport report;
    try (LoadGenerator generator = LoadGenerator.create(load)) {
      generator.start();
      long start = System.nanoTime();
      List<Duration> killTimes = new ArrayList<>();
      for (int i = 1; i <= plan.kills(); i++) {
        killTimes.add(plan.duration().multipliedBy(i).dividedBy(plan.kills() + 1));
      }
      // A second of steady load first: failures before any disturbance mean the service itself is
      // broken, and the report shows them before the first action.
      Duration restartAt = min(Duration.ofSeconds(1), plan.duration().dividedBy(4));
      boolean restarted = !plan.restart();
      int killed = 0;
      while (elapsed(start).compareTo(plan.duration()) < 0) {
        if (!restarted && elapsed(start).compareTo(restartAt) >= 0) {
          restart(target);
          actions.add(
              new VerifyResult.Action(elapsed(start), "rollout restart (" + RESTARTED_AT + ")"));
          restarted = true;
        }
        if (killed < killTimes.size() && elapsed(start).compareTo(killTimes.get(killed)) >= 0) {
          killed++;
          String victim = killOnePod(deployment, random);
          actions.add(
              new VerifyResult.Action(
                  elapsed(start),
                  victim == null ? "no running pod to kill" : "deleted pod " + victim));
        }
        Thread.sleep(
            Math.min(
                POLL.toMillis(), Math.max(1, plan.duration().minus(elapsed(start)).toMillis())));
      }
      if (plan.waitRollout()) {
        completed = awaitRollout(target, start, plan.rolloutTimeout());
        actions.add(
            new VerifyResult.Action(
                elapsed(start),
                completed
                    ? "rollout complete"
                    : "rollout not complete after "
                        + plan.rolloutTimeout().toSeconds()
                        + " s of waiting"));
      }
      Thread.sleep(plan.settle().toMillis());
      report = generator.stop();
    }
    return new VerifyResult(plan, report, actions, completed);
  }

  private static void restart(RollableScalableResource<Deployment> target) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    target.edit(
        d -> {
          var template = d.getSpec().getTemplate();
          if (template.getMetadata() == null) {
            template.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
          }
          if (template.getMetadata().getAnnotations() == null) {
            template.getMetadata().setAnnotations(new java.util.HashMap<>());
          }
          template.getMetadata().getAnnotations().put(RESTARTED_AT, now);
          return d;
        });
  }

  /**
   * Deletes one running, not yet terminating pod of the Deployment; returns its name, or null if
   * none.
   */
  private String killOnePod(Deployment deployment, Random random) {
    Map<String, String> labels =
        deployment.getSpec().getSelector() == null
            ? null
            : deployment.getSpec().getSelector().getMatchLabels();
    if (labels == null || labels.isEmpty()) {
      return null;
    }
    List<Pod> pods =
        client
            .pods()
            .inNamespace(deployment.getMetadata().getNamespace())
            .withLabels(labels)
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    if (pods.isEmpty()) {
      return null;
    }
    Pod victim = pods.get(random.nextInt(pods.size()));
    client
        .pods()
        .inNamespace(victim.getMetadata().getNamespace())
        .withName(victim.getMetadata().getName())
        .delete();
    LOG.info("deleted pod {}", victim.getMetadata().getName());
    return victim.getMetadata().getName();
  }

  /** The condition {@code kubectl rollout status} waits for. */
  static boolean rolloutComplete(Deployment d) {
    if (d == null || d.getStatus() == null) {
      return false;
    }
    DeploymentStatus s = d.getStatus();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    long generation = Optional.ofNullable(d.getMetadata().getGeneration()).orElse(0L);
    return Optional.ofNullable(s.getObservedGeneration()).orElse(0L) >= generation
        && n(s.getUpdatedReplicas()) == desired
        && n(s.getReplicas()) == desired
        && n(s.getAvailableReplicas()) == desired;
  }

  private static boolean awaitRollout(
      RollableScalableResource<Deployment> target, long start, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (rolloutComplete(target.get())) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static int n(Integer value) {
    return value == null ? 0 : value;
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
