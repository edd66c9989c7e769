package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last attempt to read the data plane: when, whether it answered, and what failed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataPlaneReading {
  private DataPlaneVisibility visibility;

  @JsonPropertyDescription("When the data plane was last read (RFC 3339).")
  private String checkedAt;

  @JsonPropertyDescription("Nodes that answered.")
  private Integer nodesRead;

  @JsonPropertyDescription("Nodes that did not answer.")
  private Integer nodesUnread;

  @JsonPropertyDescription("What failed: the first few nodes with their error, and how many more.")
  private String message;

  public DataPlaneVisibility getVisibility() {
    return visibility;
  }

  public void setVisibility(DataPlaneVisibility visibility) {
    this.visibility = visibility;
  }

  public String getCheckedAt() {
    return checkedAt;
  }

  public void setCheckedAt(String checkedAt) {
    this.checkedAt = checkedAt;
  }

  public Integer getNodesRead() {
    return nodesRead;
  }

  public void setNodesRead(Integer nodesRead) {
    this.nodesRead = nodesRead;
  }

  public Integer getNodesUnread() {
    return nodesUnread;
  }

  public void setNodesUnread(Integer nodesUnread) {
    this.nodesUnread = nodesUnread;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
