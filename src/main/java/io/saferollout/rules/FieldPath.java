package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The address of one field in a manifest's JSON tree, e.g. {@code
 * spec.template.spec.containers[web].lifecycle.preStop} or {@code
 * spec.template.metadata.annotations[proxy.istio.io/config]}.
 *
 * <p>Dots separate fields. A bracket selects inside the field before it: in a list, the element
 * whose {@code name} is the bracket's text (containers, initContainers, ports are merged by name in
 * Kubernetes, so the name is the stable address); in a map, the key, which may itself contain dots.
 * Paths are what {@link Change} records and {@link HardeningReverter} and server-side apply use.
 */
public final class FieldPath {
  /**
   * Fields that are string maps in the Kubernetes API. When such a field is absent and a bracket
   * selects inside it, it is created as a map; every other bracketed field is created as a list.
   */
  private static final Set<String> MAP_FIELDS =
      Set.of("annotations", "labels", "matchLabels", "nodeSelector");

  private sealed interface Step permits Field, Select {}

  private record Field(String name) implements Step {}

  private record Select(String key) implements Step {}

  private final List<Step> steps;

  private FieldPath(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /** Parses a path; a malformed one is rejected with a message that says where. */
  public static FieldPath parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("field path is empty");
    }
    List<Step> steps = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      int start = i;
      while (i < n && text.charAt(i) != '.' && text.charAt(i) != '[' && text.charAt(i) != ']') {
        i++;
      }
      if (i == start) {
        throw malformed(text, start, "a field name is missing");
      }
      steps.add(new Field(text.substring(start, i)));
      while (i < n && text.charAt(i) == '[') {
        int close = text.indexOf(']', i);
        if (close < 0) {
          throw malformed(text, i, "'[' is not closed");
        }
        if (close == i + 1) {
          throw malformed(text, i, "'[]' selects nothing");
        }
        steps.add(new Select(text.substring(i + 1, close)));
        i = close + 1;
      }
      if (i < n) {
        if (text.charAt(i) != '.') {
          throw malformed(text, i, "expected '.' or '['");
        }
        i++;
        if (i == n) {
          throw malformed(text, i, "the path ends with '.'");
        }
      }
    }
    return new FieldPath(steps);
  }

  private static IllegalArgumentException malformed(String text, int at, String why) {
    return new IllegalArgumentException(
        "field path '" + text + "' is malformed at position " + at + ": " + why);
  }

  /** This path followed by a field. */
  public FieldPath field(String name) {
    if (name == null
        || name.isEmpty()
        || name.contains(".")
        || name.contains("[")
        || name.contains("]")) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a field name; use select() for keys with dots");
    }
    List<Step> next = new ArrayList<>(steps);
    next.add(new Field(name));
    return new FieldPath(next);
  }

  /** This path followed by a bracket: a list element by name, or a map key. */
  public FieldPath select(String key) {
    if (key == null || key.isEmpty() || key.contains("]")) {
      throw new IllegalArgumentException("'" + key + "' cannot be selected in brackets");
    }
    List<Step> next = new ArrayList<>(steps);
    next.add(new Select(key));
    return new FieldPath(next);
  }

  /** True when this path is {@code other} or lies inside it. */
  public boolean isWithin(FieldPath other) {
    return steps.size() >= other.steps.size()
        && steps.subList(0, other.steps.size()).equals(other.steps);
  }

  /**
   * The value at this path, or empty when any part of it is absent (JSON null counts as absent).
   */
  public Optional<JsonNode> get(JsonNode root) {
    JsonNode node = root;
    for (Step step : steps) {
      node = child(node, step);
      if (node == null) {
        return Optional.empty();
      }
    }
    return Optional.of(node);
  }

  /**
   * Sets the value at this path, creating missing parents; a {@code null} value removes the field
   * (or list element) and then removes parents it left empty, so removing what a set added restores
   * the tree it started from.
   */
  public void set(ObjectNode root, JsonNode value) {
    if (value == null || value.isNull()) {
      remove(root);
      return;
    }
    JsonNode parent = root;
    for (int i = 0; i < steps.size() - 1; i++) {
      JsonNode next = child(parent, steps.get(i));
      if (next == null) {
        next = createChild(parent, i);
      }
      parent = next;
    }
    put(parent, steps.get(steps.size() - 1), value);
  }

  private void remove(ObjectNode root) {
    List<JsonNode> chain = new ArrayList<>();
    JsonNode node = root;
    chain.add(node);
    for (int i = 0; i < steps.size() - 1; i++) {
      node = child(node, steps.get(i));
      if (node == null) {
        return;
      }
      chain.add(node);
    }
    delete(chain.get(chain.size() - 1), steps.get(steps.size() - 1));
    for (int i = chain.size() - 1; i > 0; i--) {
      if (!chain.get(i).isEmpty()) {
        break;
      }
      delete(chain.get(i - 1), steps.get(i - 1));
    }
  }

  /** One step of a path: a field, or a bracket selecting a list element by name or a map key. */
  record Segment(String name, boolean selects) {}

  /** The steps of this path, in order. */
  List<Segment> segments() {
    return steps.stream()
        .map(
            s ->
                s instanceof Field f
                    ? new Segment(f.name(), false)
                    : new Segment(((Select) s).key(), true))
        .toList();
  }

  /** This path without its last step; empty for a one-step path. */
  public Optional<FieldPath> parent() {
    return steps.size() < 2
        ? Optional.empty()
        : Optional.of(new FieldPath(steps.subList(0, steps.size() - 1)));
  }

  private JsonNode child(JsonNode node, Step step) {
    JsonNode found = null;
    if (step instanceof Field f) {
      if (node.isArray()) {
        throw new IllegalArgumentException(
            "field path '"
                + this
                + "': '"
                + f.name()
                + "' is read from a list; select an element by name in brackets first");
      }
      found = node.get(f.name());
    } else if (step instanceof Select s) {
      if (node.isArray()) {
        found = elementNamed(node, s.key());
      } else if (node.isObject()) {
        found = node.get(s.key());
      } else {
        throw new IllegalArgumentException(
            "field path '"
                + this
                + "': ["
                + s.key()
                + "] selects inside a value that is neither a list nor a map");
      }
    }
    return found == null || found.isNull() || found.isMissingNode() ? null : found;
  }

  private static JsonNode elementNamed(JsonNode list, String name) {
    for (JsonNode element : list) {
      if (name.equals(element.path("name").asText(null))) {
        return element;
      }
    }
    return null;
  }

  private JsonNode createChild(JsonNode parent, int index) {
    Step step = steps.get(index);
    Step after = steps.get(index + 1);
    JsonNode created;
    if (after instanceof Select && step instanceof Field f && !MAP_FIELDS.contains(f.name())) {
      created = JsonNodeFactory.instance.arrayNode();
    } else {
      created = JsonNodeFactory.instance.objectNode();
      if (step instanceof Select s && parent.isArray()) {
        ((ObjectNode) created).put("name", s.key());
      }
    }
    put(parent, step, created);
    return created;
  }

  private void put(JsonNode parent, Step step, JsonNode value) {
    if (parent.isArray()) {
      if (!(step instanceof Select s)) {
        throw new IllegalArgumentException("field path '" + this + "' writes a field into a list");
      }
      ArrayNode list = (ArrayNode) parent;
      for (int i = 0; i < list.size(); i++) {
        if (s.key().equals(list.get(i).path("name").asText(null))) {
          list.set(i, value);
          return;
        }
      }
      list.add(value);
    } else if (parent.isObject()) {
      String key = step instanceof Field f ? f.name() : ((Select) step).key();
      ((ObjectNode) parent).set(key, value);
    } else {
      throw new IllegalArgumentException(
          "field path '" + this + "' crosses a value that is not an object");
    }
  }

  private static void delete(JsonNode parent, Step step) {
    if (parent.isArray() && step instanceof Select s) {
      ArrayNode list = (ArrayNode) parent;
      for (int i = 0; i < list.size(); i++) {
        if (s.key().equals(list.get(i).path("name").asText(null))) {
          list.remove(i);
          return;
        }
      }
    } else if (parent.isObject()) {
      ((ObjectNode) parent).remove(step instanceof Field f ? f.name() : ((Select) step).key());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath other && steps.equals(other.steps);
  }

  @Override
  public int hashCode() {
    return steps.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Step step : steps) {
      if (step instanceof Field f) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(f.name());
      } else if (step instanceof Select s) {
        out.append('[').append(s.key()).append(']');
      }
    }
    return out.toString();
  }
}
