package io.saferollout.harden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saferollout.rules.Change;
import io.saferollout.rules.FieldPath;

/**
 * A rule's {@link Change} as {@code harden} needs it: where, and the value it wants there.
 *
 * <p>The only place this package reads a {@code Change}, so a change to how a {@code Change}
 * carries its path and value is a change to this class alone.
 *
 * @param value the new value; {@code null} removes the field (or list element)
 */
record PlannedChange(FieldPath path, JsonNode value) {

  static PlannedChange of(Change change) {
    return new PlannedChange(FieldPath.parse(change.path()), change.newValueTree());
  }

  /** Replays the change onto a manifest tree, creating missing parents or removing emptied ones. */
  void applyTo(ObjectNode tree) {
    path.set(tree, value);
  }
}
