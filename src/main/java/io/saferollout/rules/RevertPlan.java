package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;

/**
 * The result of undoing SafeRollout's changes.
 *
 * @param reverted the Deployment with SafeRollout's own values removed
 * @param revertedChanges the fields changed back, in the order applied ({@code oldValue} is what
 *     SafeRollout had set, {@code newValue} what is restored)
 * @param skipped fields the user changed since SafeRollout set them: kept, one finding each
 */
public record RevertPlan(Deployment reverted, List<Change> revertedChanges, List<Finding> skipped) {
  public RevertPlan {
    revertedChanges = List.copyOf(revertedChanges);
    skipped = List.copyOf(skipped);
  }
}
