package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * The Deployment(s) a SafeRollout hardens, in its own namespace: exactly one of name or selector.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.name) != has(self.selector)",
    message = "target needs exactly one of name or selector")
public class TargetRef {
  @JsonPropertyDescription("Name of one Deployment in the SafeRollout's namespace.")
  @Size(max = 253)
  private String name;

  @JsonPropertyDescription(
      "Label selector for a set of Deployments in the SafeRollout's namespace. Must not be empty; matchExpressions use In, NotIn (with values), Exists or DoesNotExist (without).")
  @SchemaFrom(type = SelectorSchema.class)
  // An empty selector matches every Deployment in the namespace, including ones other teams own.
  @ValidationRule(
      value =
          "(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",
      message =
          "selector is empty and would match every Deployment in the namespace: list labels to match")
  private LabelSelector selector;

  public TargetRef() {}

  public static TargetRef byName(String name) {
    TargetRef t = new TargetRef();
    t.name = name;
    return t;
  }

  public static TargetRef bySelector(LabelSelector selector) {
    TargetRef t = new TargetRef();
    t.selector = selector;
    return t;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }
}
