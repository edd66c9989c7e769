package io.saferollout.lab.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pod-template-hash label and template equality, as the Deployment controller computes them
 * (controller.ComputeHash and deploymentutil.EqualIgnoreHash): an FNV-1a 32-bit hash of the
 * template rendered with the same alphabet as rand.SafeEncodeString, and equality that ignores the
 * hash label and, like apimachinery's semantic equality, treats empty and absent fields alike.
 */
final class PodTemplateHash {

  static final String LABEL = "pod-template-hash";
  private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final ObjectMapper MAPPER = Serialization.jsonMapper();

  private PodTemplateHash() {}

  static String of(PodTemplateSpec template, int collisionCount) {
    String canonical = canonical(template);
    if (collisionCount > 0) {
      canonical = canonical + collisionCount;
    }
    return safeHash(canonical);
  }

  /** FNV-1a 32-bit, written with rand.SafeEncodeString's alphabet (no vowels, no look-alikes). */
  static String safeHash(String text) {
    int hash = 0x811c9dc5;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    String decimal = Long.toString(Integer.toUnsignedLong(hash));
    StringBuilder encoded = new StringBuilder(decimal.length());
    for (char c : decimal.toCharArray()) {
      encoded.append(SAFE_ALPHABET.charAt(c % SAFE_ALPHABET.length()));
    }
    return encoded.toString();
  }

  static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
    return canonical(a).equals(canonical(b));
  }

  /** The template as sorted, pruned JSON, without the hash label. */
  static String canonical(PodTemplateSpec template) {
    JsonNode tree = MAPPER.valueToTree(template);
    JsonNode labels = tree.path("metadata").path("labels");
    if (labels.isObject()) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) labels).remove(LABEL);
    }
    try {
      return MAPPER.writeValueAsString(prune(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a pod template as JSON", e);
    }
  }

  private static Object prune(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> sorted = new TreeMap<>();
      node.fields()
          .forEachRemaining(
              field -> {
                Object value = prune(field.getValue());
                if (value != null) {
                  sorted.put(field.getKey(), value);
                }
              });
      return sorted.isEmpty() ? null : sorted;
    }
    if (node.isArray()) {
      List<Object> items = new ArrayList<>();
      node.forEach(
          item -> {
            Object value = prune(item);
            items.add(value == null ? Map.of() : value);
          });
      return items.isEmpty() ? null : items;
    }
    if (node.isNull() || node.isMissingNode()) {
      return null;
    }
    return node;
  }
}
