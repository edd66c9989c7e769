package io.saferollout.lint;

import io.saferollout.rules.Rule;
import io.saferollout.rules.Severity;

/**
 * One problem in one object.
 *
 * @param path the field, in FieldPath syntax, relative to the object
 * @param line the 1-based line of that field, or of its nearest existing parent when it is missing
 * @param hardenAction what {@code saferollout harden} does about it (the hardener planned a change
 *     for it), or null when only the user can fix it
 */
public record LintFinding(
    Rule rule, String path, int line, String message, String fix, String hardenAction) {
  public Severity severity() {
    return rule.severity();
  }

  public boolean fixable() {
    return hardenAction != null;
  }
}
