package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * Hardening planned for one Deployment and held back until its next rollout (adoption NextRollout),
 * with the Deployment revision it waits to move past. The revision lives here, in the API, so an
 * operator restarted while a change is pending keeps waiting for the same rollout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PendingChanges {
  @JsonPropertyDescription("The Deployment the changes are for.")
  private String deployment;

  @JsonPropertyDescription(
      "The Deployment's revision (deployment.kubernetes.io/revision) when the changes were planned; they are applied when a newer revision rolls out.")
  private Long heldSinceRevision;

  @JsonPropertyDescription("The fields the operator will set.")
  private List<AppliedChange> changes = new ArrayList<>();

  public PendingChanges() {}

  public PendingChanges(String deployment, Long heldSinceRevision, List<AppliedChange> changes) {
    this.deployment = deployment;
    this.heldSinceRevision = heldSinceRevision;
    this.changes = new ArrayList<>(changes);
  }

  public String getDeployment() {
    return deployment;
  }

  public void setDeployment(String deployment) {
    this.deployment = deployment;
  }

  public Long getHeldSinceRevision() {
    return heldSinceRevision;
  }

  public void setHeldSinceRevision(Long heldSinceRevision) {
    this.heldSinceRevision = heldSinceRevision;
  }

  public List<AppliedChange> getChanges() {
    return changes;
  }

  public void setChanges(List<AppliedChange> changes) {
    this.changes = changes;
  }
}
