package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The three non-apply patch types, which the API server turns into an Update of the whole object:
 * JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch (lists with a patch
 * merge key merge element by element; {@code null} deletes a field).
 */
final class UpdatePatches {

  enum Type {
    JSON,
    MERGE,
    STRATEGIC;

    static Optional<Type> of(String contentType) {
      String ct = contentType == null ? "application/json-patch+json" : contentType.toLowerCase();
      if (ct.contains("json-patch+json")) {
        return Optional.of(JSON);
      }
      if (ct.contains("strategic-merge-patch+json")) {
        return Optional.of(STRATEGIC);
      }
      if (ct.contains("merge-patch+json")) {
        return Optional.of(MERGE);
      }
      return Optional.empty();
    }
  }

  private UpdatePatches() {}

  static ObjectNode patch(JsonNode live, String body, Type type) {
    JsonNode patch = Json.read(body);
    switch (type) {
      case JSON -> {
        try {
          JsonNode out = JsonPatch.apply(patch, live);
          if (!(out instanceof ObjectNode obj)) {
            throw new Json.BadRequest("the JSON patch does not leave an object");
          }
          return obj;
        } catch (JsonPatchException | IllegalArgumentException e) {
          throw new Json.BadRequest("the JSON patch cannot be applied: " + e.getMessage());
        }
      }
      default -> {
        if (!patch.isObject()) {
          throw new Json.BadRequest("a merge patch must be an object");
        }
        return (ObjectNode) mergeObject(live, patch, List.of(), type == Type.STRATEGIC);
      }
    }
  }

  private static JsonNode mergeObject(
      JsonNode target, JsonNode patch, List<String> names, boolean strategic) {
    ObjectNode out =
        target != null && target.isObject()
            ? target.deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode value = e.getValue();
      List<String> childNames = FieldSet.append(names, e.getKey());
      if (value.isNull()) {
        out.remove(e.getKey());
      } else if (value.isObject()) {
        out.set(e.getKey(), mergeObject(out.get(e.getKey()), value, childNames, strategic));
      } else if (value.isArray()
          && strategic
          && DeploymentSchema.listKeys(childNames).isPresent()
          && out.get(e.getKey()) instanceof ArrayNode existing) {
        out.set(e.getKey(), mergeList(existing, (ArrayNode) value, childNames));
      } else {
        out.set(e.getKey(), value.deepCopy());
      }
    }
    return out;
  }

  private static ArrayNode mergeList(ArrayNode live, ArrayNode patch, List<String> names) {
    List<String> keys = DeploymentSchema.listKeys(names).orElseThrow();
    Map<String, JsonNode> merged = new LinkedHashMap<>();
    live.forEach(e -> merged.put(DeploymentSchema.keyToken(keys, e), e));
    List<String> deleted = new ArrayList<>();
    for (JsonNode element : patch) {
      String token = DeploymentSchema.keyToken(keys, element);
      if ("delete".equals(element.path("$patch").asText())) {
        deleted.add(token);
        continue;
      }
      merged.put(token, mergeObject(merged.get(token), element, names, true));
    }
    deleted.forEach(merged::remove);
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    merged.values().forEach(out::add);
    return out;
  }
}
