package io.saferollout.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Comparator;

/** Converts manifests to and from the JSON trees {@link FieldPath} works on, with fabric8's mapper. */
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
      throw new IllegalArgumentException("cannot read the changed manifest as " + type.getSimpleName() + ": "
          + e.getMessage(), e);
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

  /**
   * Equal JSON values, numbers compared by value: fabric8 maps a {@code Long} field to a long node
   * and parsed text gives an int node, yet {@code 15} is {@code 15}. Two absent values are the same.
   */
  static boolean same(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_VALUE, b);
  }

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
    if (x.equals(y)) {
      return 0;
    }
    return x.isNumber() && y.isNumber() && x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
  };

  static JsonNode valueOf(Object value) {
    return KUBERNETES.convertValue(value, JsonNode.class);
  }
}
