package io.saferollout.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Source lines of the fields of parsed trees, keyed by node identity, so a finding's field path
 * (relative to any object, including an item of a {@code kind: List}) maps back to a line.
 */
public final class SourceLines {
  private final Map<JsonNode, Map<String, Integer>> fieldLines = new IdentityHashMap<>();
  private final Map<JsonNode, List<Integer>> elementLines = new IdentityHashMap<>();

  void field(JsonNode object, String name, int line) {
    fieldLines.computeIfAbsent(object, k -> new HashMap<>()).put(name, line);
  }

  void element(JsonNode array, int line) {
    elementLines.computeIfAbsent(array, k -> new ArrayList<>()).add(line);
  }

  /** The line of the list element at {@code index}, or {@code fallback} when it is unknown. */
  public int elementLine(JsonNode array, int index, int fallback) {
    List<Integer> lines = elementLines.get(array);
    return lines == null || index >= lines.size() ? fallback : lines.get(index);
  }

  /**
   * The line of {@code fieldPath} under {@code root}. A path that does not exist (a missing field a
   * rule wants added) gets the line of its deepest existing ancestor: that is where the fix goes.
   */
  public int lineOf(JsonNode root, String fieldPath, int rootLine) {
    int line = rootLine;
    JsonNode node = root;
    for (String[] step : steps(fieldPath)) {
      String key = step[1];
      JsonNode next = null;
      int nextLine = line;
      if (node.isArray() && step[0].equals("select")) {
        for (int i = 0; i < node.size(); i++) {
          if (key.equals(node.get(i).path("name").asText(null))) {
            next = node.get(i);
            nextLine = elementLine(node, i, line);
            break;
          }
        }
      } else if (node.isObject() && node.has(key)) {
        next = node.get(key);
        Map<String, Integer> fields = fieldLines.get(node);
        nextLine = fields == null ? line : fields.getOrDefault(key, line);
      }
      if (next == null) {
        return line;
      }
      node = next;
      line = nextLine;
    }
    return line;
  }

  /** FieldPath text as steps: {"field", name} or {"select", key}; brackets may hold dots. */
  private static List<String[]> steps(String path) {
    List<String[]> steps = new ArrayList<>();
    int i = 0;
    int n = path.length();
    while (i < n) {
      if (path.charAt(i) == '.') {
        i++;
        continue;
      }
      if (path.charAt(i) == '[') {
        int close = path.indexOf(']', i);
        if (close < 0) {
          break;
        }
        steps.add(new String[] {"select", path.substring(i + 1, close)});
        i = close + 1;
        continue;
      }
      int start = i;
      while (i < n && path.charAt(i) != '.' && path.charAt(i) != '[') {
        i++;
      }
      steps.add(new String[] {"field", path.substring(start, i)});
    }
    return steps;
  }
}
