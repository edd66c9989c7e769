package io.saferollout.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Objects;

/**
 * What hardening a Deployment takes: the hardened copy, the field changes that lead to it (in
 * order), and the gaps left for the user.
 */
public record HardeningPlan(Deployment hardened, List<Change> changes, List<Finding> findings) {
  public HardeningPlan {
    Objects.requireNonNull(hardened, "hardened");
    changes = List.copyOf(changes);
    findings = List.copyOf(findings);
  }

  /** True when the Deployment is already as hardened as the policy allows: nothing to patch, no rollout. */
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
