package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/** Reading and comparing JSON trees the way the API server does: by meaning, not by node class. */
final class Json {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Json() {}

  static JsonNode read(String json) {
    try {
      return Serialization.jsonMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new BadRequest("the body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** An apply body is YAML (application/apply-patch+yaml); JSON is YAML too. */
  static JsonNode readYaml(String yaml) {
    try {
      JsonNode node = YAML.readTree(yaml);
      if (node == null || !node.isObject()) {
        throw new BadRequest("the apply body must be an object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BadRequest("the apply body is not valid YAML: " + e.getOriginalMessage());
    }
  }

  static String write(JsonNode node) {
    try {
      return Serialization.jsonMapper().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 15, 15L and 15.0 are one value once decoded into the API's Go types; so are equal trees. */
  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!sameValue(e.getValue(), b.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** A client error the API server answers with 400. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
