package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** Undoes exactly SafeRollout's own changes, and nothing the user set since. Pure. */
public final class HardeningReverter {
  private HardeningReverter() {}

  /**
   * For each recorded change, newest first, whose path still holds the recorded new value, restores
   * the old value (an absent old value removes the field). Where the user changed the field since,
   * their value is kept and a finding says so. Never mutates its input.
   *
   * <p>A sidecar moved back from initContainers is appended to containers: container order in
   * {@code containers} does not affect start order once nothing waits on it.
   */
  public static RevertPlan revert(Deployment current, List<Change> recorded) {
    Objects.requireNonNull(current, "current");
    ObjectNode tree = ManifestJson.tree(current);
    List<Change> reverted = new ArrayList<>();
    List<Finding> skipped = new ArrayList<>();
    List<Change> newestFirst = new ArrayList<>(recorded == null ? List.of() : recorded);
    Collections.reverse(newestFirst);
    for (Change change : newestFirst) {
      JsonNode now = change.field().get(tree).orElse(null);
      if (JsonValues.sameAsServed(change.after(), now)) {
        change.field().set(tree, change.before() == null ? null : change.before().deepCopy());
        reverted.add(change.undone("reverted: " + change.reason()));
      } else {
        skipped.add(
            new Finding(
                change.rule(),
                change.path(),
                "changed since SafeRollout set it (now "
                    + ManifestJson.text(now)
                    + ", SafeRollout had set "
                    + change.newValue()
                    + "); the current value is kept",
                "If the value was only there for SafeRollout, remove or adjust it yourself."));
      }
    }
    return new RevertPlan(ManifestJson.read(tree, Deployment.class), reverted, skipped);
  }
}
