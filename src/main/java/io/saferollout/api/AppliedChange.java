package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One field the operator changed on a Deployment: where, from what, to what, and which rule asked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppliedChange {
  private String deployment;
  private String rule;
  private String path;
  private String oldValue;
  private String newValue;

  public AppliedChange() {}

  public AppliedChange(
      String deployment, String rule, String path, String oldValue, String newValue) {
    this.deployment = deployment;
    this.rule = rule;
    this.path = path;
    this.oldValue = oldValue;
    this.newValue = newValue;
  }

  public String getDeployment() {
    return deployment;
  }

  public void setDeployment(String deployment) {
    this.deployment = deployment;
  }

  public String getRule() {
    return rule;
  }

  public void setRule(String rule) {
    this.rule = rule;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getOldValue() {
    return oldValue;
  }

  public void setOldValue(String oldValue) {
    this.oldValue = oldValue;
  }

  public String getNewValue() {
    return newValue;
  }

  public void setNewValue(String newValue) {
    this.newValue = newValue;
  }
}
