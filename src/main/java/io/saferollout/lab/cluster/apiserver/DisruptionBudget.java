package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the disruption controller would write in a PodDisruptionBudget's status, computed on demand
 * since the lab runs no such controller (pkg/controller/disruption/disruption.go
 * getExpectedPodCount, countHealthyPods). Pure.
 *
 * @param expectedPods the pods the budget's controllers want (their scale), or the matched pods for
 *     an integer minAvailable
 * @param currentHealthy matched pods that are Ready and not being deleted
 * @param desiredHealthy how many must stay healthy
 */
record DisruptionBudget(String name, int expectedPods, int currentHealthy, int desiredHealthy) {

  int disruptionsAllowed() {
    return Math.max(0, currentHealthy - desiredHealthy);
  }

  /**
   * @param controllerScale the summed spec.replicas of the controllers (Deployments, else
   *     ReplicaSets) owning the matched pods
   */
  static DisruptionBudget of(JsonNode pdb, List<JsonNode> matchedPods, int controllerScale) {
    JsonNode spec = pdb.path("spec");
    int healthy = (int) matchedPods.stream().filter(DisruptionBudget::isHealthy).count();
    String name = pdb.path("metadata").path("name").asText();
    JsonNode maxUnavailable = spec.get("maxUnavailable");
    JsonNode minAvailable = spec.get("minAvailable");
    if (maxUnavailable != null && !maxUnavailable.isNull()) {
      // Percentages of the expected count round up (intstr.GetScaledValueFromIntOrPercent,
      // roundUp=true).
      int unavailable = scaled(maxUnavailable, controllerScale, name, "maxUnavailable");
      return new DisruptionBudget(
          name, controllerScale, healthy, Math.max(0, controllerScale - unavailable));
    }
    if (minAvailable != null && !minAvailable.isNull()) {
      if (minAvailable.isNumber()) {
        return new DisruptionBudget(name, matchedPods.size(), healthy, minAvailable.asInt());
      }
      return new DisruptionBudget(
          name,
          controllerScale,
          healthy,
          scaled(minAvailable, controllerScale, name, "minAvailable"));
    }
    throw new Json.BadRequest(
        "PodDisruptionBudget " + name + " sets neither minAvailable nor maxUnavailable");
  }

  static boolean isHealthy(JsonNode pod) {
    if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return false;
    }
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  private static int scaled(JsonNode value, int total, String pdb, String field) {
    if (value.isNumber()) {
      return value.asInt();
    }
    String text = value.asText();
    if (!text.endsWith("%")) {
      throw new Json.BadRequest(
          "PodDisruptionBudget "
              + pdb
              + ": "
              + field
              + " must be an integer or a percentage, got "
              + text);
    }
    int percent = Integer.parseInt(text.substring(0, text.length() - 1));
    return (int) Math.ceil(total * percent / 100.0);
  }

  static boolean selects(JsonNode selector, JsonNode pod) {
    JsonNode labels = pod.path("metadata").path("labels");
    if (selector == null || selector.isNull()) {
      return false; // policy/v1: a null selector matches nothing, an empty one everything
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    for (JsonNode req : selector.path("matchExpressions")) {
      String key = req.path("key").asText();
      boolean has = labels.has(key);
      String value = labels.path(key).asText(null);
      List<String> values = new ArrayList<>();
      req.path("values").forEach(v -> values.add(v.asText()));
      boolean ok =
          switch (req.path("operator").asText()) {
            case "In" -> has && values.contains(value);
            case "NotIn" -> !has || !values.contains(value);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default ->
                throw new Json.BadRequest(
                    "unknown label selector operator " + req.path("operator").asText());
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
