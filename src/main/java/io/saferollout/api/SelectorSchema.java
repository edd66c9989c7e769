package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The CRD schema of {@code spec.target.selector}: a metav1.LabelSelector with its operators as an
 * enum and its lists bounded. The bounds keep the CEL rules below within the API server's cost
 * budget (an unbounded list makes the estimated cost exceed it and the CRD is refused, KEP-2876
 * "Resource constraints"), and no real selector needs more (a label key is at most 317 characters:
 * a 253-character prefix, '/', a 63-character name). Only the schema comes from here; the Java
 * field stays a fabric8 LabelSelector.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class SelectorSchema {
  static final int MAX_TERMS = 32;

  @Size(max = MAX_TERMS)
  private Map<String, String> matchLabels;

  @Size(max = MAX_TERMS)
  private List<Requirement> matchExpressions;

  /**
   * One matchExpressions term, validated as apimachinery's ValidateLabelSelectorRequirement does.
   */
  @ValidationRule(
      value = "(self.operator in ['In', 'NotIn']) == (has(self.values) && size(self.values) > 0)",
      message = "matchExpressions with In or NotIn need values; Exists and DoesNotExist take none")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  static final class Requirement {
    @Required
    @Size(max = 317)
    private String key;

    @Required private Operator operator;

    @Size(max = MAX_TERMS)
    private List<String> values;

    public String getKey() {
      return key;
    }

    public Operator getOperator() {
      return operator;
    }

    public List<String> getValues() {
      return values;
    }
  }

  enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }

  public Map<String, String> getMatchLabels() {
    return matchLabels;
  }

  public List<Requirement> getMatchExpressions() {
    return matchExpressions;
  }
}
