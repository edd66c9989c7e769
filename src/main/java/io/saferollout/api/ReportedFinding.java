package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A gap the operator did not (or may not) fix: the user must act, as {@code remedy} says. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReportedFinding {
  private String deployment;
  private String rule;
  private String severity;
  private String path;
  private String message;
  private String remedy;

  public ReportedFinding() {}

  public ReportedFinding(
      String deployment, String rule, String severity, String path, String message, String remedy) {
    this.deployment = deployment;
    this.rule = rule;
    this.severity = severity;
    this.path = path;
    this.message = message;
    this.remedy = remedy;
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

  public String getSeverity() {
    return severity;
  }

  public void setSeverity(String severity) {
    this.severity = severity;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getRemedy() {
    return remedy;
  }

  public void setRemedy(String remedy) {
    this.remedy = remedy;
  }
}
