package io.saferollout.operator.validation;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.DataPlaneSpec;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopSpec;
import io.saferollout.api.ReadinessProbeSpec;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SpecDefaults;
import io.saferollout.api.StrategySpec;
import io.saferollout.api.TargetRef;
import io.saferollout.rules.HardeningPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one reading of a SafeRollout spec: every field checked, every default filled in from {@link
 * SpecDefaults}, and the result is a policy or the list of problems, each naming its field.
 *
 * <p>The CRD schema (bounds, enums and CEL rules generated from the same model) rejects most bad
 * specs at admission, but the operator never relies on that: CEL rules need Kubernetes 1.25+
 * (KEP-2876), a cluster may run an older version of our CRD, and the CLI builds specs that never
 * meet an API server. So every rule the schema states is stated here again, with a message that
 * says what to do. To add a spec field: read it in one method below, with its default and its
 * problems.
 */
public final class SpecParser {
  private static final Set<String> SELECTOR_OPERATORS =
      Set.of("In", "NotIn", "Exists", "DoesNotExist");

  /** RFC 1123 subdomain, what the API server requires of object names. */
  private static final Pattern OBJECT_NAME =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** IANA_SVC_NAME, what a container port name must be (and so a probe's named port). */
  private static final Pattern PORT_NAME =
      Pattern.compile("^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$");

  private static final Pattern SURGE_PERCENT = Pattern.compile("^([1-9][0-9]?|100)%$");

  private SpecParser() {}

  /** The whole spec, as the operator reads it. */
  public static Parsed<SafeRolloutPolicy> parse(SafeRolloutSpec spec) {
    if (spec == null) {
      return Parsed.rejected(
          List.of(new SpecProblem("spec", "is missing: set spec.target at least")));
    }
    List<SpecProblem> problems = new ArrayList<>();
    TargetRef target = target(spec.getTarget(), problems);
    HardeningPolicy hardening = hardening(spec, problems);
    PreStopPolicy preStop = preStop(spec.getPreStop(), problems);
    if (!problems.isEmpty()) {
      return Parsed.rejected(problems);
    }
    return Parsed.of(
        new SafeRolloutPolicy(
            target,
            hardening,
            orDefault(spec.getAdoption(), SpecDefaults.ADOPTION),
            orDefault(spec.getOnDelete(), SpecDefaults.ON_DELETE),
            preStop));
  }

  /**
   * Only the hardening knobs, for callers with no target (the CLI's {@code lint} and {@code harden}
   * judge manifests, not a namespace).
   */
  public static Parsed<HardeningPolicy> hardening(SafeRolloutSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    HardeningPolicy policy = hardening(spec == null ? new SafeRolloutSpec() : spec, problems);
    return problems.isEmpty() ? Parsed.of(policy) : Parsed.rejected(problems);
  }

  private static HardeningPolicy hardening(SafeRolloutSpec spec, List<SpecProblem> problems) {
    ReadinessProbeSpec readiness = readiness(spec.getReadinessProbe(), problems);
    int preStop = preStopDelaySeconds(spec.getPreStop(), problems);
    int drain =
        bounded(
            "spec.drainSeconds",
            spec.getDrainSeconds(),
            SpecDefaults.DRAIN_SECONDS,
            0,
            SpecDefaults.MAX_SHUTDOWN_PART_SECONDS,
            problems);
    StrategySpec strategy = spec.getStrategy() == null ? new StrategySpec() : spec.getStrategy();
    IntOrString maxSurge = maxSurge(strategy.getMaxSurge(), problems);
    int minReady =
        bounded(
            "spec.strategy.minReadySeconds",
            strategy.getMinReadySeconds(),
            SpecDefaults.MIN_READY_SECONDS,
            0,
            SpecDefaults.MAX_MIN_READY_SECONDS,
            problems);
    if (!problems.isEmpty()) {
      return null;
    }
    return new HardeningPolicy(
        orDefault(spec.getMode(), SpecDefaults.MODE),
        readiness,
        preStop,
        drain,
        maxSurge,
        minReady,
        orDefault(spec.getSidecars(), SpecDefaults.SIDECARS));
  }

  /** The delay the rules put in the template; in Auto mode the measured one replaces it. */
  private static int preStopDelaySeconds(PreStopSpec p, List<SpecProblem> problems) {
    return bounded(
        "spec.preStop.delaySeconds",
        p == null ? null : p.getDelaySeconds(),
        SpecDefaults.PRE_STOP_DELAY_SECONDS,
        0,
        SpecDefaults.MAX_SHUTDOWN_PART_SECONDS,
        problems);
  }

  /**
   * spec.preStop beyond its delay (read by {@link #preStopDelaySeconds}): Auto's bounds, the stated
   * budgets and where the data-plane leg is read. Public for the tests of the tuning, which start
   * from a spec as a user writes it.
   */
  public static Parsed<PreStopPolicy> preStop(PreStopSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    PreStopPolicy policy = preStop(spec, problems);
    preStopDelaySeconds(spec, problems);
    return problems.isEmpty() ? Parsed.of(policy) : Parsed.rejected(problems);
  }

  private static PreStopPolicy preStop(PreStopSpec given, List<SpecProblem> problems) {
    PreStopSpec p = given == null ? new PreStopSpec() : given;
    int max = SpecDefaults.MAX_SHUTDOWN_PART_SECONDS;
    int margin =
        bounded(
            "spec.preStop.marginSeconds",
            p.getMarginSeconds(),
            SpecDefaults.PRE_STOP_MARGIN_SECONDS,
            0,
            max,
            problems);
    int min =
        bounded(
            "spec.preStop.minSeconds",
            p.getMinSeconds(),
            SpecDefaults.PRE_STOP_MIN_SECONDS,
            0,
            max,
            problems);
    int longest =
        bounded(
            "spec.preStop.maxSeconds",
            p.getMaxSeconds(),
            SpecDefaults.PRE_STOP_MAX_SECONDS,
            0,
            max,
            problems);
    double factor = p.getFactor() == null ? SpecDefaults.PRE_STOP_FACTOR : p.getFactor();
    if (!(factor >= 1 && factor <= SpecDefaults.PRE_STOP_MAX_FACTOR)) {
      problems.add(
          new SpecProblem(
              "spec.preStop.factor",
              "must be between 1 and "
                  + (int) SpecDefaults.PRE_STOP_MAX_FACTOR
                  + ", got "
                  + factor));
    }
    if (min > longest) {
      problems.add(
          new SpecProblem(
              "spec.preStop.minSeconds", "minSeconds " + min + " exceeds maxSeconds " + longest));
    }
    List<PathBudget> budgets = p.getBudgets() == null ? List.of() : p.getBudgets();
    for (int i = 0; i < budgets.size(); i++) {
      PathBudget b = budgets.get(i);
      if (b.getName() == null || b.getName().isBlank()) {
        problems.add(
            new SpecProblem(
                "spec.preStop.budgets[" + i + "].name",
                "is required: name the hop this budget covers"));
      }
      if (b.getSeconds() == null || !(b.getSeconds() >= 0 && b.getSeconds() <= max)) {
        problems.add(
            new SpecProblem(
                "spec.preStop.budgets[" + i + "].seconds",
                "must be between 0 and " + max + ", got " + b.getSeconds()));
      }
    }
    DataPlaneSpec dp = p.getDataPlane() == null ? new DataPlaneSpec() : p.getDataPlane();
    DataPlaneSource source = orDefault(dp.getSource(), SpecDefaults.DATA_PLANE_SOURCE);
    String template =
        orDefault(dp.getMetricsUrlTemplate(), SpecDefaults.DATA_PLANE_METRICS_URL_TEMPLATE);
    String query =
        dp.getQuery() == null || dp.getQuery().isBlank()
            ? SpecDefaults.DATA_PLANE_QUERY
            : dp.getQuery();
    if (source == DataPlaneSource.Prometheus
        && (dp.getPrometheusUrl() == null || dp.getPrometheusUrl().isBlank())) {
      problems.add(
          new SpecProblem(
              "spec.preStop.dataPlane.prometheusUrl", "is required when source is Prometheus"));
    }
    if (source == DataPlaneSource.KubeProxyMetrics && !template.contains("{nodeIP}")) {
      problems.add(
          new SpecProblem(
              "spec.preStop.dataPlane.metricsUrlTemplate",
              "must contain {nodeIP}, got '" + template + "'"));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new PreStopPolicy(
        orDefault(p.getMode(), SpecDefaults.PRE_STOP_MODE),
        orDefault(p.getDelaySeconds(), SpecDefaults.PRE_STOP_DELAY_SECONDS),
        factor,
        margin,
        min,
        longest,
        orDefault(p.getApplyTuning(), SpecDefaults.PRE_STOP_APPLY_TUNING),
        budgets,
        source,
        template,
        dp.getPrometheusUrl(),
        query);
  }

  private static TargetRef target(TargetRef target, List<SpecProblem> problems) {
    if (target == null) {
      problems.add(new SpecProblem("spec.target", "is required: set name or selector"));
      return null;
    }
    boolean hasName = target.getName() != null && !target.getName().isBlank();
    boolean hasSelector = target.getSelector() != null;
    if (hasName == hasSelector) {
      problems.add(new SpecProblem("spec.target", "needs exactly one of name or selector"));
    }
    if (hasName
        && (target.getName().length() > 253 || !OBJECT_NAME.matcher(target.getName()).matches())) {
      problems.add(
          new SpecProblem(
              "spec.target.name",
              "'"
                  + target.getName()
                  + "' is not a Deployment name: lowercase letters, digits, '-' and '.', at most 253"));
    }
    if (hasSelector) {
      selector(target.getSelector(), problems);
    }
    return target;
  }

  private static void selector(LabelSelector s, List<SpecProblem> problems) {
    List<LabelSelectorRequirement> expressions =
        s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions();
    if ((s.getMatchLabels() == null || s.getMatchLabels().isEmpty()) && expressions.isEmpty()) {
      // An empty selector matches every Deployment in the namespace, other teams' too.
      problems.add(
          new SpecProblem(
              "spec.target.selector",
              "is empty and would match every Deployment in the namespace: list labels to match"));
    }
    for (int i = 0; i < expressions.size(); i++) {
      LabelSelectorRequirement r = expressions.get(i);
      String field = "spec.target.selector.matchExpressions[" + i + "]";
      if (!SELECTOR_OPERATORS.contains(r.getOperator())) {
        problems.add(
            new SpecProblem(
                field + ".operator",
                "must be In, NotIn, Exists or DoesNotExist, got '" + r.getOperator() + "'"));
        continue;
      }
      // As apimachinery's ValidateLabelSelectorRequirement: In/NotIn need values, the others none.
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      boolean needsValues = r.getOperator().equals("In") || r.getOperator().equals("NotIn");
      if (hasValues != needsValues) {
        problems.add(
            new SpecProblem(
                field + ".values",
                needsValues
                    ? "must not be empty with " + r.getOperator()
                    : "must be empty with " + r.getOperator()));
      }
    }
  }

  private static ReadinessProbeSpec readiness(
      ReadinessProbeSpec given, List<SpecProblem> problems) {
    ReadinessProbeSpec r = given == null ? new ReadinessProbeSpec() : given;
    ReadinessProbeSpec out = new ReadinessProbeSpec();
    String path = r.getPath() == null || r.getPath().isBlank() ? null : r.getPath();
    if (path != null && !path.startsWith("/")) {
      problems.add(
          new SpecProblem("spec.readinessProbe.path", "must start with '/', got '" + path + "'"));
    }
    out.setPath(path);
    out.setPort(port(r.getPort(), problems));
    String scheme = orDefault(r.getScheme(), SpecDefaults.PROBE_SCHEME);
    if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
      problems.add(
          new SpecProblem(
              "spec.readinessProbe.scheme", "must be HTTP or HTTPS, got '" + scheme + "'"));
    }
    out.setScheme(scheme);
    out.setInitialDelaySeconds(
        bounded(
            "spec.readinessProbe.initialDelaySeconds",
            r.getInitialDelaySeconds(),
            SpecDefaults.PROBE_INITIAL_DELAY_SECONDS,
            0,
            SpecDefaults.PROBE_MAX_INITIAL_DELAY_SECONDS,
            problems));
    out.setPeriodSeconds(
        bounded(
            "spec.readinessProbe.periodSeconds",
            r.getPeriodSeconds(),
            SpecDefaults.PROBE_PERIOD_SECONDS,
            1,
            SpecDefaults.PROBE_MAX_SECONDS,
            problems));
    out.setTimeoutSeconds(
        bounded(
            "spec.readinessProbe.timeoutSeconds",
            r.getTimeoutSeconds(),
            SpecDefaults.PROBE_TIMEOUT_SECONDS,
            1,
            SpecDefaults.PROBE_MAX_SECONDS,
            problems));
    out.setSuccessThreshold(
        bounded(
            "spec.readinessProbe.successThreshold",
            r.getSuccessThreshold(),
            SpecDefaults.PROBE_SUCCESS_THRESHOLD,
            1,
            SpecDefaults.PROBE_MAX_THRESHOLD,
            problems));
    out.setFailureThreshold(
        bounded(
            "spec.readinessProbe.failureThreshold",
            r.getFailureThreshold(),
            SpecDefaults.PROBE_FAILURE_THRESHOLD,
            1,
            SpecDefaults.PROBE_MAX_THRESHOLD,
            problems));
    return out;
  }

  private static IntOrString port(IntOrString port, List<SpecProblem> problems) {
    if (port == null) {
      return null;
    }
    if (port.getIntVal() != null) {
      if (port.getIntVal() < 1 || port.getIntVal() > 65535) {
        problems.add(
            new SpecProblem(
                "spec.readinessProbe.port", "must be 1-65535, got " + port.getIntVal()));
      }
    } else if (port.getStrVal() == null || !PORT_NAME.matcher(port.getStrVal()).matches()) {
      problems.add(
          new SpecProblem(
              "spec.readinessProbe.port",
              "must be a port number or a container port name (1-15 lowercase letters, digits and '-'), got '"
                  + port.getStrVal()
                  + "'"));
    }
    return port;
  }

  private static IntOrString maxSurge(IntOrString maxSurge, List<SpecProblem> problems) {
    if (maxSurge == null) {
      return new IntOrString(SpecDefaults.MAX_SURGE);
    }
    if (maxSurge.getIntVal() != null) {
      if (maxSurge.getIntVal() < 1) {
        problems.add(
            new SpecProblem(
                "spec.strategy.maxSurge",
                "must be at least 1: maxUnavailable is always 0, and Kubernetes forbids both being 0"));
      }
    } else if (maxSurge.getStrVal() == null
        || !SURGE_PERCENT.matcher(maxSurge.getStrVal()).matches()) {
      problems.add(
          new SpecProblem(
              "spec.strategy.maxSurge",
              "must be a positive number or a percentage from 1% to 100%, got '"
                  + maxSurge.getStrVal()
                  + "'"));
    }
    return maxSurge;
  }

  private static int bounded(
      String field, Integer value, int fallback, int min, int max, List<SpecProblem> problems) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      problems.add(
          new SpecProblem(field, "must be between " + min + " and " + max + ", got " + value));
      return fallback;
    }
    return value;
  }

  private static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
