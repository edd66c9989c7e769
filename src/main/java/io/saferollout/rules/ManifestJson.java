package io.saferollout.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Converts manifests to and from the JSON trees {@link FieldPath} works on, with fabric8's mapper.
 */
final class ManifestJson {
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestJson() {}

  static ObjectNode tree(Object manifest) {
    return KUBERNETES.convertValue(manifest, ObjectNode.class);
  }

  static <T> T read(JsonNode tree, Class<T> type) {
    try {
      return KUBERNETES.convertValue(tree, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read the changed manifest as " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Compact JSON text of a value; {@code null} for an absent one. */
  static String text(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode() ? null : value.toString();
  }

  /** The value of compact JSON text; {@code null} for {@code null} text (an absent value). */
  static JsonNode value(String text) {
    if (text == null) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("recorded value is not JSON: " + text, e);
    }
  }

  static JsonNode valueOf(Object value) {
    return KUBERNETES.convertValue(value, JsonNode.class);
  }
}
