package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.saferollout.api.Adoption;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.operator.rollout.PreStopTuning;
import io.saferollout.operator.validation.SpecParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The seed article's workload: a web Deployment with no readiness probe, no preStop hook and the
 * default rolling-update strategy, whose app answers 500 while it warms up; the Service in front of
 * it; and the SafeRollout that hardens it.
 *
 * <p>How the app shuts down is the app's own business, not the Deployment's: no operator can make a
 * process that exits at once on SIGTERM finish its requests. The workload therefore states it
 * ({@link #shutdown}), and the demo prints it.
 *
 * @param replicas pods of the Deployment
 * @param listenDelay time until the app's listener opens
 * @param warmup time after that during which the app answers 500
 * @param shutdown what the app does on SIGTERM
 * @param serviceTime each request takes a uniform draw in this range
 * @param preStopSeconds the SafeRollout's preStop delay, or empty for the SafeRollout's own
 *     default: the hardened run must not be tuned to the lab (a value derived from the lab's
 *     propagation profiles would make "0 lost" hold by construction)
 * @param preStopBudgets hops the user states in the SafeRollout's preStop.budgets (a cloud load
 *     balancer no metric covers), none by default
 */
public record LabWorkload(
    String name,
    int replicas,
    Duration listenDelay,
    Duration warmup,
    ShutdownStyle shutdown,
    ServiceTime serviceTime,
    OptionalInt preStopSeconds,
    List<PathBudget> preStopBudgets) {

  /** How long the app takes per request: a uniform draw in [min, max]. */
  public record ServiceTime(Duration min, Duration max) {
    public ServiceTime {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "service time must satisfy 0 <= min <= max, got " + min + " and " + max);
      }
    }

    /** The app annotation's form, e.g. "5-20" (milliseconds). */
    String annotationValue() {
      return min.toMillis() + "-" + max.toMillis();
    }
  }

  public static final String IMAGE_REPOSITORY = "lab.saferollout.io/web";
  public static final String HEALTH_PATH = "/healthz";
  public static final int PORT = 8080;

  public LabWorkload {
    if (replicas < 1) {
      throw new IllegalArgumentException(
          "the workload needs at least one replica, got " + replicas);
    }
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(serviceTime, "serviceTime");
    Objects.requireNonNull(preStopSeconds, "preStopSeconds");
    preStopBudgets = List.copyOf(preStopBudgets);
    if (preStopSeconds.isPresent()
        && (preStopSeconds.getAsInt() < 0 || preStopSeconds.getAsInt() > 300)) {
      throw new IllegalArgumentException(
          "preStop seconds must be 0-300, got " + preStopSeconds.getAsInt());
    }
  }

  /**
   * 3 replicas of the article's app: it refuses connections for 200 ms and answers 500 for 1.5 s
   * after that (the article's "new pod gets traffic before it can serve"), takes 5-20 ms per
   * request and exits at once on SIGTERM; the SafeRollout keeps its defaults.
   */
  public static LabWorkload articleDefaults() {
    return new LabWorkload(
        "web",
        3,
        Duration.ofMillis(200),
        Duration.ofMillis(1_500),
        ShutdownStyle.IMMEDIATE,
        new ServiceTime(Duration.ofMillis(5), Duration.ofMillis(20)),
        OptionalInt.empty(),
        List.of());
  }

  public LabWorkload withReplicas(int count) {
    return new LabWorkload(
        name, count, listenDelay, warmup, shutdown, serviceTime, preStopSeconds, preStopBudgets);
  }

  public LabWorkload withWarmup(Duration time) {
    return new LabWorkload(
        name, replicas, listenDelay, time, shutdown, serviceTime, preStopSeconds, preStopBudgets);
  }

  public LabWorkload withShutdown(ShutdownStyle style) {
    return new LabWorkload(
        name, replicas, listenDelay, warmup, style, serviceTime, preStopSeconds, preStopBudgets);
  }

  /** The hardened arm's preStop delay instead of the SafeRollout's default; 0 removes the delay. */
  public LabWorkload withPreStopSeconds(int seconds) {
    return new LabWorkload(
        name,
        replicas,
        listenDelay,
        warmup,
        shutdown,
        serviceTime,
        OptionalInt.of(seconds),
        preStopBudgets);
  }

  /**
   * A hop the user states in preStop.budgets, as they would for a path no metric covers; Auto
   * starts no shorter than the budgets (plus margin) and adds them to every measurement.
   */
  public LabWorkload withPreStopBudget(String hop, double seconds) {
    List<PathBudget> budgets = new ArrayList<>(preStopBudgets);
    budgets.add(new PathBudget(hop, seconds));
    return new LabWorkload(
        name, replicas, listenDelay, warmup, shutdown, serviceTime, preStopSeconds, budgets);
  }

  public LabWorkload withServiceTime(ServiceTime time) {
    return new LabWorkload(
        name, replicas, listenDelay, warmup, shutdown, time, preStopSeconds, preStopBudgets);
  }

  /** The naive Deployment, version {@code v1} of its image. */
  public Deployment deployment(String namespace) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .addToAnnotations(AppAnnotations.LISTEN_DELAY_MS, Long.toString(listenDelay.toMillis()))
        .addToAnnotations(AppAnnotations.WARMUP_MS, Long.toString(warmup.toMillis()))
        .addToAnnotations(AppAnnotations.SHUTDOWN, shutdown.annotationValue())
        .addToAnnotations(AppAnnotations.SERVICE_TIME_MS, serviceTime.annotationValue())
        .addToAnnotations(AppAnnotations.HEALTH_PATH, HEALTH_PATH)
        .endMetadata()
        .withNewSpec()
        .addToContainers(
            new ContainerBuilder()
                .withName("web")
                .withImage(IMAGE_REPOSITORY + ":v1")
                .addNewPort()
                .withName("http")
                .withContainerPort(PORT)
                .endPort()
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  public Service service(String namespace) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .addToSelector("app", name)
        .addNewPort()
        .withName("http")
        .withPort(80)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * At most one pod of the Deployment voluntarily disrupted at a time: what a node drain must
   * honour.
   */
  public PodDisruptionBudget disruptionBudget(String namespace) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .endSpec()
        .build();
  }

  /**
   * The SafeRollout for the Deployment. Only what the user must know about their own app is set:
   * the readiness probe's path (the app's health endpoint), checked every second; adoption at once;
   * the preStop delay only when overridden for an experiment, and the budgets of hops the user
   * knows about only when an experiment states them. Everything else is the SafeRollout's default.
   */
  public SafeRollout safeRollout(String namespace) {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName(name);
    sr.getMetadata().setNamespace(namespace);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName(name));
    // The operator's own first change to the live Deployment rolls at once, while traffic flows,
    // so the scenario measures it (the default, NextRollout, would fold it into the user's next
    // change).
    spec.setAdoption(Adoption.Immediately);
    spec.getReadinessProbe().setPath(HEALTH_PATH);
    spec.getReadinessProbe().setPeriodSeconds(1);
    // Nothing here comes from the lab's configuration: without --prestop-seconds the operator
    // measures endpoint removal itself and sizes preStop from it (Auto; before any measurement,
    // the default delay). A stated value is Fixed.
    preStopSeconds.ifPresentOrElse(
        seconds -> {
          spec.getPreStop().setMode(PreStopMode.Fixed);
          spec.getPreStop().setDelaySeconds(seconds);
        },
        () -> spec.getPreStop().setMode(PreStopMode.Auto));
    preStopBudgets.forEach(
        b -> spec.getPreStop().getBudgets().add(new PathBudget(b.getName(), b.getSeconds())));
    sr.setSpec(spec);
    return sr;
  }

  /**
   * The preStop delay the SafeRollout starts with: the override (Fixed), or the delay Auto uses
   * until it has measured endpoint removal (the default delay, or the stated budgets + margin when
   * longer).
   */
  public int effectivePreStopSeconds() {
    return preStopSeconds.orElseGet(
        () ->
            PreStopTuning.startingSeconds(
                SpecParser.preStop(safeRollout(Lab.NAMESPACE).getSpec().getPreStop())
                    .value()
                    .orElseThrow()));
  }
}
