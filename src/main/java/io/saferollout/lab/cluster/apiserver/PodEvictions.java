package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods/eviction subresource (pkg/registry/core/pod/storage/eviction.go): a pod is deleted,
 * gracefully, unless the one PodDisruptionBudget that selects it has no disruption left, which is
 * answered 429 with the API server's message so clients such as {@code kubectl drain} retry. Pods
 * being deleted do not count as healthy, which stands in for the budget's DisruptedPods map: two
 * evictions in a row cannot both spend the same disruption.
 */
final class PodEvictions {

  private final CrudStore crud;

  PodEvictions(CrudStore crud) {
    this.crud = crud;
  }

  synchronized MockResponse evict(String namespace, String name, String body) {
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
    JsonNode pod = crud.get(podPath);
    if (pod == null) {
      return ApiStatus.failure(
          404, "NotFound", "pods \"" + name + "\" not found", "pods", name, List.of());
    }
    JsonNode eviction = body == null || body.isBlank() ? Json.read("{}") : Json.read(body);
    if (!canIgnoreBudget(pod)) {
      List<JsonNode> budgets = budgetsSelecting(namespace, pod);
      if (budgets.size() > 1) {
        return ApiStatus.failure(
            500,
            "InternalError",
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            "pods",
            name,
            List.of());
      }
      if (budgets.size() == 1) {
        DisruptionBudget budget = budgetFor(namespace, budgets.get(0));
        boolean unhealthyPodMayGo =
            !DisruptionBudget.isHealthy(pod)
                && budget.currentHealthy() >= budget.desiredHealthy()
                && budget.desiredHealthy() > 0;
        if (!unhealthyPodMayGo && budget.disruptionsAllowed() == 0) {
          return ApiStatus.failure(
              429,
              "TooManyRequests",
              "Cannot evict pod as it would violate the pod's disruption budget.",
              "pods",
              name,
              List.of(
                  new ApiStatus.Cause(
                      "DisruptionBudget",
                      "The disruption budget "
                          + budget.name()
                          + " needs "
                          + budget.desiredHealthy()
                          + " healthy pods and has "
                          + budget.currentHealthy()
                          + " currently",
                      null)));
        }
      }
    }
    JsonNode grace = eviction.path("deleteOptions").get("gracePeriodSeconds");
    if (grace != null && grace.canConvertToLong()) {
      ObjectNode withGrace = pod.deepCopy();
      ((ObjectNode) withGrace.get("metadata")).put("deletionGracePeriodSeconds", grace.asLong());
      crud.put(podPath, withGrace);
    }
    MockResponse deleted = crud.delete(podPath);
    return deleted.code() == 200 ? ApiStatus.success(201) : deleted;
  }

  /**
   * eviction.go canIgnorePDB: terminal and pending pods, and pods already being deleted, go at
   * once.
   */
  private static boolean canIgnoreBudget(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText("Pending");
    return phase.equals("Succeeded")
        || phase.equals("Failed")
        || phase.equals("Pending")
        || pod.path("metadata").hasNonNull("deletionTimestamp");
  }

  private List<JsonNode> budgetsSelecting(String namespace, JsonNode pod) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode list = crud.get("/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets");
    for (JsonNode pdb : list == null ? List.<JsonNode>of() : iterable(list.path("items"))) {
      if (DisruptionBudget.selects(pdb.path("spec").get("selector"), pod)) {
        out.add(pdb);
      }
    }
    return out;
  }

  private DisruptionBudget budgetFor(String namespace, JsonNode pdb) {
    JsonNode pods = crud.get("/api/v1/namespaces/" + namespace + "/pods");
    List<JsonNode> matched = new ArrayList<>();
    for (JsonNode p : pods == null ? List.<JsonNode>of() : iterable(pods.path("items"))) {
      if (DisruptionBudget.selects(pdb.path("spec").get("selector"), p)) {
        matched.add(p);
      }
    }
    return DisruptionBudget.of(pdb, matched, controllerScale(namespace, matched));
  }

  /**
   * disruption.go getExpectedScale: each controller of the matched pods counted once, by its scale.
   */
  private int controllerScale(String namespace, List<JsonNode> pods) {
    Map<String, Integer> scales = new LinkedHashMap<>();
    for (JsonNode pod : pods) {
      for (JsonNode owner : pod.path("metadata").path("ownerReferences")) {
        if (!owner.path("controller").asBoolean(false)
            || !"ReplicaSet".equals(owner.path("kind").asText())) {
          continue;
        }
        String rsName = owner.path("name").asText();
        if (scales.containsKey("rs/" + rsName)) {
          continue;
        }
        JsonNode rs = crud.get("/apis/apps/v1/namespaces/" + namespace + "/replicasets/" + rsName);
        if (rs == null) {
          continue;
        }
        JsonNode deploymentOwner = null;
        for (JsonNode o : rs.path("metadata").path("ownerReferences")) {
          if ("Deployment".equals(o.path("kind").asText())
              && o.path("controller").asBoolean(false)) {
            deploymentOwner = o;
          }
        }
        scales.put("rs/" + rsName, 0);
        if (deploymentOwner != null) {
          JsonNode d =
              crud.get(
                  "/apis/apps/v1/namespaces/"
                      + namespace
                      + "/deployments/"
                      + deploymentOwner.path("name").asText());
          scales.putIfAbsent(
              "deploy/" + deploymentOwner.path("name").asText(),
              d == null ? 0 : d.path("spec").path("replicas").asInt(1));
        } else {
          scales.put("rs/" + rsName, rs.path("spec").path("replicas").asInt(1));
        }
      }
    }
    return scales.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static List<JsonNode> iterable(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
