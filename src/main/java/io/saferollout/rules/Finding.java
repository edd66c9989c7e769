package io.saferollout.rules;

import java.util.Objects;

/**
 * A gap SafeRollout did not fix: the user must act, as {@code remedy} says.
 *
 * @param path the field concerned, in {@link FieldPath} syntax (relative to the object checked)
 */
public record Finding(Rule rule, String path, String message, String remedy) {
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (remedy == null) {
      remedy = rule.fix();
    }
  }

  public Severity severity() {
    return rule.severity();
  }
}
