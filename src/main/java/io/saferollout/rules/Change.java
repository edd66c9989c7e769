package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One field SafeRollout changed (or, in Audit mode, would change), as parsed values: decisions
 * (replay, revert, ownership) work on the path and the JSON values; text is made only at the edges
 * (the applied-changes annotation, status, events, lint output) through {@link #path()}, {@link
 * #oldValue()} and {@link #newValue()}.
 *
 * @param field where, e.g. {@code spec.template.spec.containers[web].lifecycle.preStop}
 * @param before the value before; {@code null} when the field was absent
 * @param after the value after; {@code null} when the field is removed
 * @param reason one line saying why, for status and lint output
 */
public record Change(Rule rule, FieldPath field, JsonNode before, JsonNode after, String reason) {
  public Change {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(field, "field");
    before = absentAsNull(before);
    after = absentAsNull(after);
  }

  /**
   * Reads a change from its text form (the applied-changes annotation, status); a malformed path or
   * value is rejected with a message naming it.
   */
  public static Change fromText(
      Rule rule, String path, String oldValue, String newValue, String reason) {
    return new Change(
        rule,
        FieldPath.parse(path),
        ManifestJson.value(oldValue),
        ManifestJson.value(newValue),
        reason);
  }

  /** True when this change removes the field. */
  public boolean removes() {
    return after == null;
  }

  /** The path as text, for the edges. */
  public String path() {
    return field.toString();
  }

  /**
   * The value before as compact JSON text; {@code null} when the field was absent. For the edges.
   */
  public String oldValue() {
    return ManifestJson.text(before);
  }

  /**
   * The value after as compact JSON text; {@code null} when the field is removed. For the edges.
   */
  public String newValue() {
    return ManifestJson.text(after);
  }

  /** {@link #after()}, for readers that apply a change to a manifest tree. */
  public JsonNode newValueTree() {
    return after;
  }

  /** The same change undone: from {@code after} back to {@code before}. */
  Change undone(String why) {
    return new Change(rule, field, after, before, why);
  }

  /**
   * True when both change the same field from the same value to the same value, by JSON meaning.
   */
  public boolean sameAs(Change other) {
    return other != null
        && field.equals(other.field)
        && JsonValues.same(before, other.before)
        && JsonValues.same(after, other.after);
  }

  private static JsonNode absentAsNull(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }
}
