package io.saferollout.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON merge patch (RFC 7396) that turns one document into another: objects are diffed key by
 * key, a removed key becomes null, anything else (arrays included) is replaced whole. Sent with
 * metadata.resourceVersion, the API server rejects it with 409 if the object changed meanwhile.
 */
final class MergePatch {
  private MergePatch() {}

  static ObjectNode between(JsonNode from, JsonNode to) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode old = from.get(e.getKey());
      if (old == null || !old.equals(e.getValue())) {
        if (old != null && old.isObject() && e.getValue().isObject()) {
          patch.set(e.getKey(), between(old, e.getValue()));
        } else {
          patch.set(e.getKey(), e.getValue());
        }
      }
    }
    for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!to.has(key)) {
        patch.putNull(key);
      }
    }
    return patch;
  }
}
