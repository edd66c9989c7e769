package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Label selector semantics, as the API documents them ("Labels and Selectors"). */
public final class LabelSelectorMatch {
  private LabelSelectorMatch() {}

  /**
   * True when {@code selector} selects pods labelled {@code labels}. A null selector selects
   * nothing and an empty one selects everything, as for a policy/v1 PodDisruptionBudget.
   */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    Map<String, String> wanted =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    if (!matches(wanted, have)) {
      return false;
    }
    List<LabelSelectorRequirement> expressions =
        selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    return expressions.stream().allMatch(e -> matches(e, have));
  }

  /** Equality-based selection, as a Service's selector does: every pair present. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    Map<String, String> have = labels == null ? Map.of() : labels;
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
  }

  private static boolean matches(LabelSelectorRequirement e, Map<String, String> labels) {
    List<String> values = e.getValues() == null ? List.of() : e.getValues();
    String value = labels.get(e.getKey());
    return switch (e.getOperator() == null ? "" : e.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(e.getKey());
      case "DoesNotExist" -> !labels.containsKey(e.getKey());
      // An unknown operator is rejected by the API server; selecting nothing is the safe reading.
      default -> false;
    };
  }
}
