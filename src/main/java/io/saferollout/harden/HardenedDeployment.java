package io.saferollout.harden;

import io.saferollout.rules.Change;
import io.saferollout.rules.Finding;
import java.util.List;

/** The changes made to one Deployment, and the findings hardening cannot fix. */
public record HardenedDeployment(
    String displayName, int line, List<Change> changes, List<Finding> findingsLeft) {
  public HardenedDeployment {
    changes = List.copyOf(changes);
    findingsLeft = List.copyOf(findingsLeft);
  }
}
