package io.saferollout.lint;

import io.saferollout.rules.Severity;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a lint run: every object checked (with or without findings, in input order) and
 * the notices.
 */
public record LintReport(
    LintSettings settings, List<ObjectReport> objects, List<LintNotice> notices) {
  public LintReport {
    objects = List.copyOf(objects);
    notices = List.copyOf(notices);
  }

  public long findingCount() {
    return objects.stream().mapToLong(o -> o.findings().size()).sum();
  }

  public long fixableCount() {
    return objects.stream()
        .flatMap(o -> o.findings().stream())
        .filter(LintFinding::fixable)
        .count();
  }

  /**
   * Reported findings are at or above the threshold by construction, so any finding fails the run.
   */
  public boolean failsThreshold() {
    return findingCount() > 0;
  }

  public Map<Severity, Long> countBySeverity() {
    Map<Severity, Long> counts = new TreeMap<>();
    for (Severity s : Severity.values()) {
      counts.put(s, 0L);
    }
    objects.stream()
        .flatMap(o -> o.findings().stream())
        .forEach(f -> counts.merge(f.severity(), 1L, Long::sum));
    return counts;
  }
}
