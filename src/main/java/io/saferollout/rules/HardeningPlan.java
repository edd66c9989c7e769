package io.saferollout.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Objects;

/**
 * What hardening a Deployment takes: the hardened copy, the field changes that lead to it (in
 * order), the gaps left for the user, and the fields SafeRollout gives up because another manager
 * took them over (their removals of SafeRollout's own handler are among the changes).
 */
public record HardeningPlan(
    Deployment hardened, List<Change> changes, List<Finding> findings, List<FieldPath> released) {
  public HardeningPlan {
    Objects.requireNonNull(hardened, "hardened");
    changes = List.copyOf(changes);
    findings = List.copyOf(findings);
    released = List.copyOf(released);
  }

  public HardeningPlan(Deployment hardened, List<Change> changes, List<Finding> findings) {
    this(hardened, changes, findings, List.of());
  }

  /**
   * True when a change removes something that is not SafeRollout's own released handler: moving a
   * sidecar out of {@code containers}, say. Server-side apply cannot remove a field another manager
   * owns, so such a plan is written as a JSON patch; a release is written by leaving the field out
   * of the apply body.
   */
  public boolean removesFields() {
    return changes.stream()
        .anyMatch(c -> c.removes() && released.stream().noneMatch(c.field()::isWithin));
  }

  /**
   * True when the Deployment is already as hardened as the policy allows: nothing to patch, no
   * rollout.
   */
  public boolean changesNothing() {
    return changes.isEmpty();
  }

  /**
   * This plan's changes applied, in order, to a copy of {@code deployment} (the one planned from
   * gives {@link #hardened()}). Fields outside the changes' paths are left as they are.
   */
  public Deployment applyTo(Deployment deployment) {
    ObjectNode tree = ManifestJson.tree(deployment);
    for (Change change : changes) {
      change.field().set(tree, change.after() == null ? null : change.after().deepCopy());
    }
    return ManifestJson.read(tree, Deployment.class);
  }
}
