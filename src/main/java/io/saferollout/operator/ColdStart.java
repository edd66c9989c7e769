package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TargetRef;
import io.saferollout.operator.validation.Parsed;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import io.saferollout.operator.validation.SpecParser;
import io.saferollout.rules.Change;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import io.saferollout.rules.LiveTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a reconcile's pure steps (parse, plan, record, apply body, JSON patch body, status and Event
 * decisions, the client's serialization) on a sample SafeRollout and Deployment before the operator
 * reconciles anything, without a request.
 *
 * <p>Why: a JVM's first reconciles load hundreds of classes, build Jackson's serializers for the
 * Deployment model and generate reflection accessors (after 15 calls of a getter on JDK 17, {@code
 * sun.reflect.inflationThreshold}). JOSDK hands the first SafeRollouts to up to 50 reconcile
 * threads at once, so every one of them waited for that one-time work: in OperatorBench the first
 * ~50 SafeRollouts created after start were patched 0.7 to 3 s after their creation, the rest in
 * tens of milliseconds. Done here, once and alone, it costs the same work before the first event
 * instead of inside it.
 */
final class ColdStart {
  private static final Logger LOG = LoggerFactory.getLogger(ColdStart.class);

  /** Enough rounds to pass the JDK's reflection inflation threshold (15) for every getter. */
  static final int ROUNDS_PAST_INFLATION = 20;

  private ColdStart() {}

  /**
   * Rehearses and logs how long it took. A failure is logged and leaves the operator as cold as
   * before, never stopped: the same code then runs, and fails visibly, in a reconcile.
   */
  static void warmUp(KubernetesClient client) {
    long start = System.nanoTime();
    try {
      rehearse(client);
    } catch (RuntimeException e) {
      LOG.warn("warming up the reconcile path failed; the first reconciles will be slower", e);
    }
    LOG.info(
        "reconcile path warmed up in {} ms",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  /**
   * The reconcile's pure steps, {@value #ROUNDS_PAST_INFLATION} times, on sample objects.
   *
   * @return the status the last round decided
   */
  static SafeRolloutStatus rehearse(KubernetesClient client) {
    SafeRolloutStatus status = null;
    Deployment sample = sample();
    SafeRollout sr = safeRollout();
    Parsed<SafeRolloutPolicy> parsed = SpecParser.parse(sr.getSpec());
    HardeningPolicy policy = parsed.value().orElseThrow().hardening();
    for (int i = 0; i < ROUNDS_PAST_INFLATION; i++) {
      HardeningPlan plan =
          DeploymentHardener.plan(
              sample,
              policy,
              ClusterCapabilities.LATEST,
              LiveTarget.of(Set.of(), List.of()),
              List.of());
      List<String> owned = plan.changes().stream().map(Change::path).toList();
      Deployment desired =
          new DeploymentBuilder(plan.hardened())
              .editMetadata()
              .addToAnnotations(AppliedChangesRecord.HARDENED_BY, sr.getMetadata().getName())
              .addToAnnotations(
                  AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(plan.changes()))
              .endMetadata()
              .build();
      AppliedChangesRecord.read(desired);
      ApplyConfiguration.of(desired, owned).toString();
      DeploymentPatcher.jsonPatchBody(sample, desired).toString();
      client.getKubernetesSerialization().asJson(desired);
      ReconcileFacts facts =
          ReconcileFacts.of(
              parsed,
              new Observation(
                  List.of(sample),
                  List.of(sample),
                  List.of(),
                  List.of(),
                  ClusterCapabilities.LATEST,
                  NamespaceMetadata.Meta.UNKNOWN,
                  Optional.empty()),
              List.of(
                  new TargetResult(
                      new TargetPlan(
                          sample,
                          plan,
                          List.of(),
                          TargetPlan.Step.APPLY,
                          Optional.empty(),
                          "warm-up"),
                      plan.changes(),
                      plan.changes())));
      status = StatusDecision.decide(sr, facts, Instant.now());
      EventSummary.of(new SafeRolloutStatus(), status, facts);
      StatusComparison.same(new SafeRolloutStatus(), status);
      SafeRollout recorded = client.getKubernetesSerialization().clone(sr);
      recorded.setStatus(status);
      client.getKubernetesSerialization().asJson(recorded);
    }
    return status;
  }

  private static SafeRollout safeRollout() {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName("warm-up");
    sr.getMetadata().setNamespace("warm-up");
    sr.getMetadata().setGeneration(1L);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("warm-up"));
    spec.getReadinessProbe().setPath("/healthz");
    sr.setSpec(spec);
    return sr;
  }

  private static Deployment sample() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("warm-up")
        .withNamespace("warm-up")
        .withResourceVersion("1")
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "warm-up"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "warm-up"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example/app:1")
        .withPorts(new ContainerPortBuilder().withContainerPort(8080).build())
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
