package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One field SafeRollout changed (or, in Audit mode, would change).
 *
 * @param path     where, in {@link FieldPath} syntax, e.g.
 *                 {@code spec.template.spec.containers[web].lifecycle.preStop}
 * @param oldValue the value before, as compact JSON text; {@code null} when the field was absent
 * @param newValue the value after, as compact JSON text; {@code null} when the field is removed
 * @param reason   one line saying why, for status and lint output
 */
public record Change(Rule rule, String path, String oldValue, String newValue, String reason) {
  public Change {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(path, "path");
  }

  /** {@link #newValue()} as a JSON tree; {@code null} when the field is removed. */
  public JsonNode newValueTree() {
    return ManifestJson.value(newValue);
  }
}
