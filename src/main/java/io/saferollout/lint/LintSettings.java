package io.saferollout.lint;

import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.HardeningPolicy;
import io.saferollout.rules.Rule;
import io.saferollout.rules.Severity;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a lint run checks against: the hardening policy (its thresholds decide, e.g., how long a
 * preStop delay must be), the server version the manifests target (the rules depend on it: sleep
 * action, native sidecars), and which findings are reported.
 *
 * @param minSeverity findings below it are neither reported nor fail the run
 * @param disabled rules switched off for the whole run
 */
public record LintSettings(
    HardeningPolicy policy, ClusterCapabilities caps, Severity minSeverity, Set<Rule> disabled) {
  public LintSettings {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(caps, "caps");
    Objects.requireNonNull(minSeverity, "minSeverity");
    disabled =
        disabled == null || disabled.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(disabled));
  }

  public static LintSettings defaults() {
    return new LintSettings(
        HardeningPolicy.defaults(), ClusterCapabilities.LATEST, Severity.INFO, Set.of());
  }

  public LintSettings withMinSeverity(Severity severity) {
    return new LintSettings(policy, caps, severity, disabled);
  }

  public LintSettings withDisabled(Set<Rule> rules) {
    return new LintSettings(policy, caps, minSeverity, rules);
  }
}
