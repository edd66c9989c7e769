package io.saferollout.lint;

import io.saferollout.manifest.ManifestObject;
import java.util.List;

/** The findings for one object, in the order the rules produced them. */
public record ObjectReport(ManifestObject object, List<LintFinding> findings) {
  public ObjectReport {
    findings = List.copyOf(findings);
  }
}
