package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saferollout.lab.cluster.apiserver.DeploymentSchema.Kind;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operations of sigs.k8s.io/structured-merge-diff the lab needs, over JSON trees typed by
 * {@link DeploymentSchema}: the field set of an applied configuration ({@code ToFieldSet}), the
 * comparison of two objects ({@code Compare}: added, modified, removed), merging a configuration
 * into a live object ({@code Merge}) and removing fields ({@code RemoveItems}). Pure functions.
 */
final class StructuredMerge {

  /**
   * Fields no manager owns: identity and bookkeeping the server sets (fieldmanager's StripMeta),
   * and status.
   */
  private static final Set<String> SERVER_METADATA =
      Set.of(
          "name",
          "namespace",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "managedFields",
          "selfLink",
          "deletionTimestamp",
          "deletionGracePeriodSeconds");

  private StructuredMerge() {}

  record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {
    boolean isSame() {
      return added.isEmpty() && modified.isEmpty() && removed.isEmpty();
    }
  }

  /**
   * The part of an object field managers can own: no apiVersion/kind, no server metadata, no
   * status.
   */
  static ObjectNode ownable(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    copy.remove(List.of("apiVersion", "kind", "status"));
    if (copy.get("metadata") instanceof ObjectNode meta) {
      meta.remove(SERVER_METADATA);
      if (meta.isEmpty()) {
        copy.remove("metadata");
      }
    }
    return copy;
  }

  /** ToFieldSet: every leaf, atomic field and list element the configuration sets. */
  static FieldSet fieldsOf(JsonNode config) {
    Set<List<String>> out = new LinkedHashSet<>();
    collectFields(ownable(config), List.of(), List.of(), out);
    return new FieldSet(out);
  }

  private static void collectFields(
      JsonNode value, List<String> path, List<String> names, Set<List<String>> out) {
    Kind kind = path.isEmpty() ? Kind.MAP : DeploymentSchema.kindOf(names, value);
    switch (kind) {
      case MAP -> {
        if (value.isEmpty() && !path.isEmpty()) {
          out.add(path);
        }
        value
            .fields()
            .forEachRemaining(
                e -> {
                  if (!e.getValue().isNull()) {
                    collectFields(
                        e.getValue(),
                        FieldSet.append(path, "f:" + e.getKey()),
                        FieldSet.append(names, e.getKey()),
                        out);
                  }
                });
      }
      case ASSOCIATIVE_LIST -> {
        List<String> keys = DeploymentSchema.listKeys(names).orElseThrow();
        for (JsonNode element : value) {
          List<String> itemPath = FieldSet.append(path, DeploymentSchema.keyToken(keys, element));
          out.add(itemPath);
          collectFields(element, itemPath, names, out);
        }
      }
      case SET ->
          value.forEach(
              element -> out.add(FieldSet.append(path, DeploymentSchema.valueToken(element))));
      case ATOMIC -> out.add(path);
    }
  }

  /** Compare: what changed from {@code before} to {@code after}, as sets of paths. */
  static Comparison compare(JsonNode before, JsonNode after) {
    Set<List<String>> added = new LinkedHashSet<>();
    Set<List<String>> modified = new LinkedHashSet<>();
    Set<List<String>> removed = new LinkedHashSet<>();
    compareAt(ownable(before), ownable(after), List.of(), List.of(), added, modified, removed);
    return new Comparison(new FieldSet(added), new FieldSet(modified), new FieldSet(removed));
  }

  private static void compareAt(
      JsonNode a,
      JsonNode b,
      List<String> path,
      List<String> names,
      Set<List<String>> added,
      Set<List<String>> modified,
      Set<List<String>> removed) {
    a = a == null || a.isNull() ? null : a;
    b = b == null || b.isNull() ? null : b;
    if (a == null && b == null) {
      return;
    }
    JsonNode sample = b != null ? b : a;
    Kind kind = path.isEmpty() ? Kind.MAP : DeploymentSchema.kindOf(names, sample);
    if (a != null && b != null && (a.getNodeType() != b.getNodeType())) {
      kind = Kind.ATOMIC;
    }
    boolean recordsItself =
        kind == Kind.ATOMIC
            || isElement(path)
            || (kind == Kind.MAP && DeploymentSchema.isFreeFormMap(names));
    if (recordsItself && !path.isEmpty()) {
      if (a == null) {
        added.add(path);
      } else if (b == null) {
        removed.add(path);
      } else if (kind == Kind.ATOMIC && !Json.sameValue(a, b)) {
        modified.add(path);
      }
    }
    switch (kind) {
      case MAP -> {
        Set<String> fields = new LinkedHashSet<>();
        if (a != null) {
          a.fieldNames().forEachRemaining(fields::add);
        }
        if (b != null) {
          b.fieldNames().forEachRemaining(fields::add);
        }
        for (String f : fields) {
          compareAt(
              a == null ? null : a.get(f),
              b == null ? null : b.get(f),
              FieldSet.append(path, "f:" + f),
              FieldSet.append(names, f),
              added,
              modified,
              removed);
        }
      }
      case ASSOCIATIVE_LIST -> {
        List<String> keys = DeploymentSchema.listKeys(names).orElseThrow();
        Map<String, JsonNode> left = byKey(keys, a);
        Map<String, JsonNode> right = byKey(keys, b);
        Set<String> tokens = new LinkedHashSet<>(left.keySet());
        tokens.addAll(right.keySet());
        for (String token : tokens) {
          compareAt(
              left.get(token),
              right.get(token),
              FieldSet.append(path, token),
              names,
              added,
              modified,
              removed);
        }
      }
      case SET -> {
        Set<String> left = values(a);
        Set<String> right = values(b);
        right.stream()
            .filter(v -> !left.contains(v))
            .forEach(v -> added.add(FieldSet.append(path, v)));
        left.stream()
            .filter(v -> !right.contains(v))
            .forEach(v -> removed.add(FieldSet.append(path, v)));
      }
      case ATOMIC -> {
        // compared as a whole above
      }
    }
  }

  private static boolean isKeyField(List<String> listNames, String token) {
    return token.startsWith("f:")
        && DeploymentSchema.listKeys(listNames).orElse(List.of()).contains(token.substring(2));
  }

  private static boolean isElement(List<String> path) {
    return !path.isEmpty() && path.get(path.size() - 1).startsWith("k:");
  }

  private static Map<String, JsonNode> byKey(List<String> keys, JsonNode list) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (list != null) {
      list.forEach(e -> out.put(DeploymentSchema.keyToken(keys, e), e));
    }
    return out;
  }

  private static Set<String> values(JsonNode list) {
    Set<String> out = new LinkedHashSet<>();
    if (list != null) {
      list.forEach(e -> out.add(DeploymentSchema.valueToken(e)));
    }
    return out;
  }

  /**
   * Merge: the configuration's values over the live object. Maps merge field by field, associative
   * lists element by element (matched by key, live order kept, new elements appended), sets by
   * union; atomic fields are replaced whole.
   */
  static ObjectNode merge(JsonNode live, JsonNode config) {
    ObjectNode out = live.deepCopy();
    mergeMap(out, config, List.of());
    return out;
  }

  private static void mergeMap(ObjectNode target, JsonNode config, List<String> names) {
    for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        continue;
      }
      List<String> childNames = FieldSet.append(names, e.getKey());
      JsonNode existing = target.get(e.getKey());
      target.set(
          e.getKey(),
          existing == null || existing.isNull()
              ? e.getValue().deepCopy()
              : mergeValue(existing, e.getValue(), childNames));
    }
  }

  private static JsonNode mergeValue(JsonNode live, JsonNode config, List<String> names) {
    if (live.getNodeType() != config.getNodeType()) {
      return config.deepCopy();
    }
    switch (DeploymentSchema.kindOf(names, config)) {
      case MAP -> {
        ObjectNode out = live.deepCopy();
        mergeMap(out, config, names);
        return out;
      }
      case ASSOCIATIVE_LIST -> {
        List<String> keys = DeploymentSchema.listKeys(names).orElseThrow();
        Map<String, JsonNode> merged = new LinkedHashMap<>(byKey(keys, live));
        byKey(keys, config)
            .forEach(
                (token, element) ->
                    merged.merge(token, element, (l, c) -> mergeValue(l, c, names)));
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        merged.values().forEach(out::add);
        return out;
      }
      case SET -> {
        ArrayNode out = live.deepCopy();
        Set<String> present = values(live);
        config.forEach(
            v -> {
              if (present.add(DeploymentSchema.valueToken(v))) {
                out.add(v);
              }
            });
        return out;
      }
      default -> {
        return config.deepCopy();
      }
    }
  }

  /**
   * RemoveItems: deletes each path from the object. A map left empty by a removal goes too, as
   * structured-merge-diff's remove walker drops maps it emptied.
   */
  static void remove(ObjectNode object, FieldSet paths) {
    // Whole elements first: removing an element's key field first would make it unaddressable.
    for (List<String> path :
        paths.paths().stream().sorted(java.util.Comparator.comparingInt(List::size)).toList()) {
      removePath(object, path, List.of());
    }
  }

  private static boolean removePath(JsonNode node, List<String> path, List<String> names) {
    if (path.isEmpty() || node == null) {
      return false;
    }
    String token = path.get(0);
    List<String> rest = path.subList(1, path.size());
    if (token.startsWith("f:") && node instanceof ObjectNode obj) {
      String field = token.substring(2);
      JsonNode child = obj.get(field);
      if (child == null) {
        return false;
      }
      if (rest.isEmpty()) {
        obj.remove(field);
        return true;
      }
      boolean removed = removePath(child, rest, FieldSet.append(names, field));
      if (removed && child.isContainerNode() && child.isEmpty()) {
        obj.remove(field);
      }
      return removed;
    }
    if (node instanceof ArrayNode list) {
      for (int i = 0; i < list.size(); i++) {
        JsonNode element = list.get(i);
        String elementToken =
            token.startsWith("k:")
                ? DeploymentSchema.keyToken(
                    DeploymentSchema.listKeys(names).orElse(List.of()), element)
                : DeploymentSchema.valueToken(element);
        if (elementToken.equals(token)) {
          if (rest.isEmpty()) {
            list.remove(i);
            return true;
          }
          if (rest.size() == 1 && isKeyField(names, rest.get(0))) {
            return false; // an element that stays keeps its key: it is how the element is addressed
          }
          return removePath(element, rest, names);
        }
      }
    }
    return false;
  }

  /**
   * The fields an applier released that may go: those nobody, the applier included, still owns, nor
   * owns anything below (structured-merge-diff's prune adds back every item another manager owns a
   * part of).
   */
  static FieldSet releasable(FieldSet released, FieldSet ownedByAnyone) {
    return new FieldSet(
        released.paths().stream().filter(p -> !ownedByAnyone.containsPrefix(p)).toList());
  }
}
