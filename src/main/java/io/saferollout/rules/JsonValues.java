package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Comparator;
import java.util.Map;

/**
 * Compares manifest values by JSON meaning, and as an API server hands them back.
 *
 * <p>By meaning: {@code 15}, {@code 15L} and {@code 15.0} are one number (fabric8 maps a {@code
 * Long} field to a long node, parsed text gives an int node), while {@code "25%"} and {@code 25},
 * or {@code "15"} and {@code 15}, are different values.
 *
 * <p>As served: the API server encodes Go structs, whose {@code omitempty} fields vanish when zero
 * ({@code initialDelaySeconds: 0}, {@code false}, {@code ""}), and its defaulting fills fields left
 * unset (probe timeouts and thresholds, {@code scheme: HTTP}, port {@code protocol: TCP}; see
 * {@code pkg/apis/core/v1/defaults.go}). A value SafeRollout wrote is still its own when it reads
 * back equal after both are normalized that way.
 */
public final class JsonValues {
  /**
   * Values the API server's defaulting puts into the objects SafeRollout writes (probes, handlers,
   * ports) when they are unset: {@code SetDefaults_Probe}, {@code SetDefaults_HTTPGetAction},
   * {@code SetDefaults_ContainerPort} in Kubernetes' {@code pkg/apis/core/v1/defaults.go}.
   */
  private static final Map<String, JsonNode> SERVER_DEFAULTS =
      Map.of(
          "timeoutSeconds", IntNode.valueOf(1),
          "periodSeconds", IntNode.valueOf(10),
          "successThreshold", IntNode.valueOf(1),
          "failureThreshold", IntNode.valueOf(3),
          "scheme", TextNode.valueOf("HTTP"),
          "protocol", TextNode.valueOf("TCP"));

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE =
      (x, y) -> {
        if (x.equals(y)) {
          return 0;
        }
        return x.isNumber() && y.isNumber() && x.decimalValue().compareTo(y.decimalValue()) == 0
            ? 0
            : 1;
      };

  private JsonValues() {}

  /** Equal JSON values, numbers compared by value. Two absent values (null) are the same. */
  public static boolean same(JsonNode a, JsonNode b) {
    a = absentAsNull(a);
    b = absentAsNull(b);
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_VALUE, b);
  }

  /**
   * True when {@code read} is what an API server returns for {@code written}: equal by meaning once
   * zero values and server defaults inside objects are dropped from both. A top-level value is
   * compared as it is: the server keeps a field that was set (pointer fields keep their zero).
   */
  public static boolean sameAsServed(JsonNode written, JsonNode read) {
    return same(normalized(written), normalized(read));
  }

  private static JsonNode normalized(JsonNode value) {
    value = absentAsNull(value);
    if (value == null || !value.isContainerNode()) {
      return value;
    }
    return value.isObject()
        ? normalizedObject((ObjectNode) value)
        : normalizedArray((ArrayNode) value);
  }

  private static ObjectNode normalizedObject(ObjectNode object) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    object
        .fields()
        .forEachRemaining(
            member -> {
              JsonNode v = normalized(member.getValue());
              if (!isZero(v) && !same(v, SERVER_DEFAULTS.get(member.getKey()))) {
                out.set(member.getKey(), v);
              }
            });
    return out;
  }

  private static ArrayNode normalizedArray(ArrayNode array) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    array.forEach(
        element ->
            out.add(
                normalized(element) == null
                    ? JsonNodeFactory.instance.nullNode()
                    : normalized(element)));
    return out;
  }

  /** What Go's {@code omitempty} leaves out: 0, false, "", empty lists and maps, null. */
  private static boolean isZero(JsonNode v) {
    return v == null
        || (v.isNumber() && v.decimalValue().signum() == 0)
        || (v.isBoolean() && !v.booleanValue())
        || (v.isTextual() && v.textValue().isEmpty())
        || (v.isContainerNode() && v.isEmpty());
  }

  private static JsonNode absentAsNull(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }
}
