package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.TargetRef;
import io.saferollout.rules.LabelSelectorMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which Deployments a SafeRollout targets, and which SafeRollout wins when several claim one. Pure:
 * the reconciler passes in what its informers hold.
 */
final class TargetSelection {
  private TargetSelection() {}

  /**
   * Two SafeRollouts hardening one Deployment with different settings would patch it back and forth
   * and roll it on every reconcile. The oldest claim wins (creation time, then name, so the order
   * is total); the newer one is told so in its status instead of fighting.
   */
  static final Comparator<SafeRollout> CLAIM_ORDER =
      Comparator.comparing(
              (SafeRollout sr) ->
                  Optional.ofNullable(sr.getMetadata().getCreationTimestamp()).orElse(""))
          .thenComparing(sr -> sr.getMetadata().getName());

  static boolean targets(SafeRollout sr, Deployment d) {
    TargetRef t = sr.getSpec() == null ? null : sr.getSpec().getTarget();
    if (t == null || !sameNamespace(sr, d)) {
      return false;
    }
    if (t.getName() != null) {
      return t.getName().equals(d.getMetadata().getName());
    }
    Map<String, String> labels =
        d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels();
    return t.getSelector() != null && LabelSelectorMatch.matches(t.getSelector(), labels);
  }

  static List<Deployment> matching(SafeRollout sr, Collection<Deployment> deployments) {
    return deployments.stream()
        .filter(d -> targets(sr, d))
        .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
        .toList();
  }

  /** The SafeRollout that owns the Deployment among all that target it (none: empty). */
  static Optional<SafeRollout> owner(Deployment d, Collection<SafeRollout> all) {
    return all.stream()
        .filter(sr -> sr.getMetadata().getDeletionTimestamp() == null)
        .filter(sr -> targets(sr, d))
        .min(CLAIM_ORDER);
  }

  static String summary(SafeRollout sr, List<Deployment> matched) {
    TargetRef t = sr.getSpec().getTarget();
    if (t.getName() != null) {
      return t.getName();
    }
    String selector = describe(t.getSelector());
    return selector + " (" + matched.size() + ")";
  }

  /** A selector as `kubectl get -l` would take it: tier=front,env In [a, b]. */
  static String describe(LabelSelector selector) {
    List<String> parts = new ArrayList<>();
    if (selector.getMatchLabels() != null) {
      new TreeMap<>(selector.getMatchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        parts.add(
            r.getKey()
                + " "
                + r.getOperator()
                + (r.getValues() == null ? "" : " " + r.getValues()));
      }
    }
    return String.join(",", parts);
  }

  /** Whether the Deployment's record says this SafeRollout hardened it (it may no longer match). */
  static boolean hardenedBy(Deployment d, SafeRollout sr) {
    return AppliedChangesRecord.annotation(d, AppliedChangesRecord.HARDENED_BY)
        .map(name -> name.equals(sr.getMetadata().getName()))
        .orElse(false);
  }

  private static boolean sameNamespace(HasMetadata a, HasMetadata b) {
    return a.getMetadata().getNamespace() != null
        && a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace());
  }
}
