package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What structured-merge-diff needs to know about an apps/v1 Deployment's fields, from the {@code
 * x-kubernetes-list-type}, {@code x-kubernetes-list-map-keys} and {@code
 * x-kubernetes-map-type}/{@code structType} markers in the Kubernetes OpenAPI (k8s.io/api core/v1
 * and apps/v1 types.go): which lists merge by key, which are sets, which fields are atomic. Objects
 * are granular maps unless named atomic here; lists without a list type are atomic, as
 * structured-merge-diff treats them.
 */
final class DeploymentSchema {

  private static final Set<String> CONTAINER_LISTS =
      Set.of("containers", "initContainers", "ephemeralContainers");

  /**
   * Keys of associative lists inside a container (core/v1 Container: env, ports, volumeMounts ...).
   */
  private static final Map<String, List<String>> CONTAINER_LIST_KEYS =
      Map.of(
          "env", List.of("name"),
          // +listMapKey=containerPort +listMapKey=protocol
          "ports", List.of("containerPort", "protocol"),
          "volumeMounts", List.of("mountPath"),
          "volumeDevices", List.of("devicePath"),
          "resizePolicy", List.of("resourceName"));

  /** Keys of associative lists of a PodSpec. */
  private static final Map<String, List<String>> POD_LIST_KEYS =
      Map.of(
          "containers", List.of("name"),
          "initContainers", List.of("name"),
          "ephemeralContainers", List.of("name"),
          "volumes", List.of("name"),
          "imagePullSecrets", List.of("name"),
          "hostAliases", List.of("ip"),
          "topologySpreadConstraints", List.of("topologyKey", "whenUnsatisfiable"),
          "resourceClaims", List.of("name"),
          "schedulingGates", List.of("name"));

  /**
   * A key field with a default in the OpenAPI schema: structured-merge-diff fills it in when the
   * element omits it (ContainerPort.protocol, {@code +default="TCP"}).
   */
  private static final Map<String, String> KEY_DEFAULTS = Map.of("protocol", "TCP");

  private DeploymentSchema() {}

  enum Kind {
    MAP,
    ASSOCIATIVE_LIST,
    SET,
    ATOMIC
  }

  /** The kind of the field at a path of field names (list keys left out), holding this value. */
  static Kind kindOf(List<String> names, JsonNode value) {
    if (value.isArray()) {
      if (listKeys(names).isPresent()) {
        return Kind.ASSOCIATIVE_LIST;
      }
      // metav1.ObjectMeta: finalizers is +listType=set.
      return names.equals(List.of("metadata", "finalizers")) ? Kind.SET : Kind.ATOMIC;
    }
    if (value.isObject() && !isAtomicStruct(names)) {
      return Kind.MAP;
    }
    return Kind.ATOMIC;
  }

  /** LabelSelector is {@code +structType=atomic}: a Deployment's selector is owned as a whole. */
  private static boolean isAtomicStruct(List<String> names) {
    return names.equals(List.of("spec", "selector"));
  }

  /**
   * Maps with free-form keys (labels, annotations, resource quantities): the map itself is a member
   * of an Update manager's set when that manager created it, which managedFields shows as {@code
   * ".": {}} (structured-merge-diff's compare records added and removed maps).
   */
  static boolean isFreeFormMap(List<String> names) {
    if (names.isEmpty()) {
      return false;
    }
    return Set.of("labels", "annotations", "limits", "requests", "nodeSelector")
        .contains(names.get(names.size() - 1));
  }

  static Optional<List<String>> listKeys(List<String> names) {
    int n = names.size();
    if (n >= 1 && names.equals(List.of("metadata", "ownerReferences"))) {
      return Optional.of(List.of("uid"));
    }
    if (n >= 2
        && isPodSpec(names.subList(0, n - 1))
        && POD_LIST_KEYS.containsKey(names.get(n - 1))) {
      return Optional.of(POD_LIST_KEYS.get(names.get(n - 1)));
    }
    if (n >= 3
        && isPodSpec(names.subList(0, n - 2))
        && CONTAINER_LISTS.contains(names.get(n - 2))
        && CONTAINER_LIST_KEYS.containsKey(names.get(n - 1))) {
      return Optional.of(CONTAINER_LIST_KEYS.get(names.get(n - 1)));
    }
    return Optional.empty();
  }

  private static boolean isPodSpec(List<String> names) {
    return names.equals(List.of("spec", "template", "spec"));
  }

  /**
   * The element's key as the FieldsV1 token {@code k:{...}}, key fields sorted by name as the
   * server writes them.
   */
  static String keyToken(List<String> keys, JsonNode element) {
    ObjectNode key = JsonNodeFactory.instance.objectNode();
    keys.stream()
        .sorted()
        .forEach(
            k -> {
              JsonNode v = element.get(k);
              if (v == null && KEY_DEFAULTS.containsKey(k)) {
                key.put(k, KEY_DEFAULTS.get(k));
              } else if (v != null) {
                key.set(
                    k,
                    v.isNumber()
                        ? JsonNodeFactory.instance.numberNode(
                            v.decimalValue().stripTrailingZeros().toBigInteger())
                        : v);
              }
            });
    return "k:" + Json.write(key);
  }

  static String valueToken(JsonNode element) {
    return "v:" + Json.write(element);
  }
}
