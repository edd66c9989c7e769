package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A set of field paths, as structured-merge-diff keeps them for each field manager. A path is a
 * list of FieldsV1 tokens: {@code f:name} for a field, {@code k:{"name":"web"}} for the element of
 * an associative list, {@code v:"x"} for the element of a set-list. The FieldsV1 form in {@code
 * metadata.managedFields} nests those tokens and marks a path that is itself a member and also has
 * members below it with {@code ".": {}} (KEP-555, "managedFields").
 */
final class FieldSet {

  static final FieldSet EMPTY = new FieldSet(Set.of());

  private final Set<List<String>> paths;

  FieldSet(Collection<List<String>> paths) {
    this.paths = Set.copyOf(paths);
  }

  Set<List<String>> paths() {
    return paths;
  }

  boolean isEmpty() {
    return paths.isEmpty();
  }

  boolean contains(List<String> path) {
    return paths.contains(path);
  }

  /** True when the set holds this path or a path below it. */
  boolean containsPrefix(List<String> path) {
    return paths.stream()
        .anyMatch(p -> p.size() >= path.size() && p.subList(0, path.size()).equals(path));
  }

  FieldSet union(FieldSet other) {
    Set<List<String>> all = new LinkedHashSet<>(paths);
    all.addAll(other.paths);
    return new FieldSet(all);
  }

  FieldSet minus(FieldSet other) {
    return new FieldSet(paths.stream().filter(p -> !other.paths.contains(p)).toList());
  }

  FieldSet intersect(FieldSet other) {
    return new FieldSet(paths.stream().filter(other.paths::contains).toList());
  }

  static FieldSet fromFieldsV1(JsonNode fields) {
    Set<List<String>> out = new LinkedHashSet<>();
    collect(fields, List.of(), out);
    return new FieldSet(out);
  }

  private static void collect(JsonNode node, List<String> prefix, Set<List<String>> out) {
    if (node == null || !node.isObject()) {
      return;
    }
    if (node.isEmpty() && !prefix.isEmpty()) {
      out.add(prefix);
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals(".")) {
        out.add(prefix);
      } else {
        collect(e.getValue(), append(prefix, e.getKey()), out);
      }
    }
  }

  ObjectNode toFieldsV1() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    // Sorted, as the API server writes them, so equal sets serialize equally.
    for (List<String> path : paths.stream().sorted(FieldSet::compare).toList()) {
      ObjectNode node = root;
      for (String token : path) {
        node = node.has(token) ? (ObjectNode) node.get(token) : node.putObject(token);
      }
    }
    markMembersWithChildren(root, List.of());
    return root;
  }

  private void markMembersWithChildren(ObjectNode node, List<String> prefix) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      ObjectNode child = (ObjectNode) node.get(name);
      List<String> path = append(prefix, name);
      if (!child.isEmpty()) {
        markMembersWithChildren(child, path);
        if (paths.contains(path)) {
          ObjectNode reordered = JsonNodeFactory.instance.objectNode();
          reordered.putObject(".");
          reordered.setAll(child);
          node.set(name, reordered);
        }
      }
    }
  }

  /**
   * The path as the API server prints it in conflict messages, e.g.
   * .spec.template.spec.containers[name="web"].image
   */
  static String display(List<String> path) {
    StringBuilder sb = new StringBuilder();
    for (String token : path) {
      String body = token.substring(2);
      switch (token.charAt(0)) {
        case 'f' -> sb.append('.').append(body);
        case 'k' -> {
          List<String> keys = new ArrayList<>();
          Json.read(body).fields().forEachRemaining(e -> keys.add(e.getKey() + "=" + e.getValue()));
          sb.append('[').append(String.join(",", keys)).append(']');
        }
        default -> sb.append("[=").append(body).append(']');
      }
    }
    return sb.toString();
  }

  static List<String> append(List<String> prefix, String token) {
    List<String> out = new ArrayList<>(prefix.size() + 1);
    out.addAll(prefix);
    out.add(token);
    return List.copyOf(out);
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldSet other && paths.equals(other.paths);
  }

  @Override
  public int hashCode() {
    return paths.hashCode();
  }

  @Override
  public String toString() {
    return paths.stream()
        .sorted(FieldSet::compare)
        .map(FieldSet::display)
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
