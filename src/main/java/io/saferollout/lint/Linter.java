package io.saferollout.lint;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.manifest.MalformedManifestException;
import io.saferollout.manifest.ManifestDocument;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.manifest.ManifestObject;
import io.saferollout.rules.Change;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.Finding;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.Rule;
import io.saferollout.rules.ServiceChecks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a bundle of manifests with the operator's own rules, offline. A Deployment is planned with
 * {@link DeploymentHardener} in FillMissing mode: every change it plans is a gap that {@code
 * harden} would close, and every finding is a gap left to the user. Services are checked against
 * the Deployments of the same input, PodDisruptionBudgets of the input count for SR016.
 */
public final class Linter {
  /** Per-object opt-out: a comma-separated list of rule ids, or {@code all}. */
  public static final String DISABLE_ANNOTATION = "saferollout.io/lint-disable";

  /** Workloads that serve HTTP but are not covered by the rules yet: reported, not ignored. */
  private static final Set<String> UNCOVERED_KINDS = Set.of("StatefulSet", "DaemonSet");

  private static final ObjectMapper MAPPER = Serialization.jsonMapper();

  private Linter() {}

  /**
   * @throws MalformedManifestException when an object cannot be read as its kind (a field of the
   *     wrong type), a Deployment the API server would reject, or an unknown rule id in the opt-out
   *     annotation
   */
  public static LintReport lint(List<ManifestFile> files, LintSettings settings) {
    List<ManifestObject> objects = files.stream().flatMap(f -> f.objects().stream()).toList();
    List<Typed<Deployment>> deployments = typed(objects, "Deployment", Deployment.class);
    List<Typed<PodDisruptionBudget>> pdbs =
        typed(objects, "PodDisruptionBudget", PodDisruptionBudget.class);
    List<Deployment> allDeployments = deployments.stream().map(Typed::value).toList();
    // By identity: ManifestObject is a record, and equal trees in two files are still two objects.
    Map<ManifestObject, Deployment> deploymentOf = new IdentityHashMap<>();
    deployments.forEach(t -> deploymentOf.put(t.object(), t.value()));

    List<ObjectReport> reports = new ArrayList<>();
    List<LintNotice> notices = new ArrayList<>();
    for (ManifestFile file : files) {
      for (ManifestDocument stray : file.strayDocuments()) {
        notices.add(
            new LintNotice(
                LintNotice.NOT_AN_OBJECT,
                file.source().name(),
                stray.startLine(),
                "document " + (stray.index() + 1),
                "not a Kubernetes object (no kind), not checked"));
      }
    }
    for (ManifestObject object : objects) {
      Set<Rule> optedOut = optedOut(object);
      if (UNCOVERED_KINDS.contains(object.kind())) {
        if (optedOut.size() < Rule.values().length) {
          notices.add(
              new LintNotice(
                  LintNotice.UNCOVERED_KIND,
                  object.file(),
                  object.line(),
                  object.displayName(),
                  object.kind()
                      + " is not checked yet: the rules cover Deployments; its pods need the same readiness "
                      + "probe, preStop delay and grace period"));
        }
        continue;
      }
      List<LintFinding> findings;
      switch (object.kind()) {
        case "Deployment" -> {
          findings =
              deploymentFindings(
                  object, deploymentOf.get(object), pdbsIn(pdbs, object.namespace()), settings);
        }
        case "Service" -> findings = serviceFindings(object, allDeployments);
        default -> {
          continue;
        }
      }
      List<LintFinding> kept =
          findings.stream()
              .filter(f -> f.severity().compareTo(settings.minSeverity()) >= 0)
              .filter(f -> !settings.disabled().contains(f.rule()))
              .filter(f -> !optedOut.contains(f.rule()))
              .toList();
      reports.add(new ObjectReport(object, kept));
    }
    return new LintReport(settings, reports, notices);
  }

  private static List<LintFinding> deploymentFindings(
      ManifestObject object,
      Deployment deployment,
      List<PodDisruptionBudget> pdbs,
      LintSettings settings) {
    HardeningPlan plan;
    try {
      plan =
          DeploymentHardener.plan(deployment, settings.policy(), settings.caps(), Set.of(), pdbs);
    } catch (IllegalArgumentException e) {
      throw new MalformedManifestException(object.file(), object.line(), e.getMessage(), e);
    }
    List<LintFinding> findings = new ArrayList<>();
    for (Change change : plan.changes()) {
      // A planned change is a gap: say what is wrong (the rule's title) and what harden would do.
      findings.add(
          new LintFinding(
              change.rule(),
              change.path(),
              object.lineOf(change.path()),
              change.rule().title(),
              change.rule().fix(),
              change.reason() == null ? "sets " + change.path() : change.reason()));
    }
    for (Finding finding : plan.findings()) {
      findings.add(unfixable(object, finding));
    }
    return findings;
  }

  private static List<LintFinding> serviceFindings(
      ManifestObject object, List<Deployment> deployments) {
    Service service = read(object, Service.class);
    return ServiceChecks.check(service, deployments).stream()
        .map(f -> unfixable(object, f))
        .toList();
  }

  private static LintFinding unfixable(ManifestObject object, Finding finding) {
    return new LintFinding(
        finding.rule(),
        finding.path(),
        object.lineOf(finding.path()),
        finding.message(),
        finding.remedy(),
        null);
  }

  /** PDBs only protect pods of their own namespace; an unset namespace matches an unset one. */
  private static List<PodDisruptionBudget> pdbsIn(
      List<Typed<PodDisruptionBudget>> pdbs, String namespace) {
    return pdbs.stream()
        .filter(p -> Objects.equals(p.object().namespace(), namespace))
        .map(Typed::value)
        .toList();
  }

  private record Typed<T>(ManifestObject object, T value) {}

  private static <T> List<Typed<T>> typed(
      List<ManifestObject> objects, String kind, Class<T> type) {
    return objects.stream()
        .filter(o -> kind.equals(o.kind()))
        .map(o -> new Typed<>(o, read(o, type)))
        .toList();
  }

  private static <T> T read(ManifestObject object, Class<T> type) {
    try {
      return MAPPER.treeToValue(object.tree(), type);
    } catch (Exception e) {
      String why =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage()
              : e.getMessage();
      throw new MalformedManifestException(
          object.file(),
          object.line(),
          object.displayName() + " is not a valid " + type.getSimpleName() + ": " + firstLine(why),
          e);
    }
  }

  /** The rules an object's {@value #DISABLE_ANNOTATION} annotation switches off. */
  static Set<Rule> optedOut(ManifestObject object) {
    Optional<String> value = object.annotation(DISABLE_ANNOTATION);
    if (value.isEmpty() || value.get().isBlank()) {
      return Set.of();
    }
    if (value.get().trim().equalsIgnoreCase("all")) {
      return EnumSet.allOf(Rule.class);
    }
    Set<Rule> rules = EnumSet.noneOf(Rule.class);
    for (String id :
        Arrays.stream(value.get().split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList()) {
      rules.add(
          Rule.byId(id)
              .orElseThrow(
                  () ->
                      new MalformedManifestException(
                          object.file(),
                          object.lineOf("metadata.annotations[" + DISABLE_ANNOTATION + "]"),
                          "annotation "
                              + DISABLE_ANNOTATION
                              + " names unknown rule '"
                              + id
                              + "' (rules: SR001-SR"
                              + Rule.values()[Rule.values().length - 1].id().substring(2)
                              + ", or all)",
                          null)));
    }
    return rules;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
