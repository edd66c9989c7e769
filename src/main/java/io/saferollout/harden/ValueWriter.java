package io.saferollout.harden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.saferollout.harden.SourceNode.ScalarStyle;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Writes the values {@code harden} adds, in the layout the document already uses.
 *
 * <p>A string is written plain only when every YAML reader reads it back as that same string: YAML
 * 1.1 readers (SnakeYAML; go-yaml v2 under {@code sigs.k8s.io/yaml}, which kubectl and Helm use)
 * take {@code yes}, {@code on}, {@code y}, {@code 0x1F}, {@code 1e3}, {@code 1:20} and timestamps
 * as other types, YAML 1.2 readers take {@code 0o17}. Everything else is double-quoted with JSON
 * escapes, which YAML's double-quoted style reads the same way (YAML 1.2, 7.3.1). The API server
 * rejects an annotation, label, env value or arg that arrives as a number or boolean.
 *
 * @param json the document is JSON: keys and strings are always quoted
 * @param indentUnit one level of indentation as the document writes it (spaces, or a tab in JSON)
 * @param sequenceIndent block style: how far a list's {@code -} sits right of its key (0 for {@code
 *     kubectl get -o yaml} and kustomize, 2 for most Helm charts)
 * @param colon flow style: what stands between a key and its value, e.g. {@code ": "}
 * @param reused writes list items that exist elsewhere in the document; null for none
 */
record ValueWriter(
    boolean json, String indentUnit, int sequenceIndent, String colon, ItemText reused) {
  private static final Resolver YAML_11 = new Resolver();
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./@%+=-]*");

  /**
   * In block style a colon inside a word is plain text (an image reference); in flow style YAML 1.1
   * readers split on it, so there it is quoted.
   */
  private static final Pattern PLAIN_IN_BLOCK =
      Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./@%+=:-]*(?<!:)");

  /**
   * Read as non-strings by some YAML reader, though SnakeYAML's YAML 1.1 resolver takes them as
   * strings.
   */
  private static final Pattern OTHER_READERS = Pattern.compile("[yYnN]|0o[0-7]+");

  /**
   * The lines of a list item that exists already (moved from elsewhere in the document), or null.
   */
  interface ItemText {
    String of(JsonNode item, String indent);
  }

  ValueWriter(boolean json, String indentUnit, int sequenceIndent, String colon) {
    this(json, indentUnit, sequenceIndent, colon, null);
  }

  ValueWriter reusingItems(ItemText items) {
    return new ValueWriter(json, indentUnit, sequenceIndent, colon, items);
  }

  // --- scalars ---------------------------------------------------------------------------------

  /**
   * A scalar on one line; {@code like} is the style of the value it replaces, kept when it fits.
   */
  String scalar(JsonNode value, ScalarStyle like, boolean inFlow) {
    if (value.isFloatingPointNumber()) {
      // YAML 1.1 reads 1.0E10 (no sign in the exponent) as a string; plain digits read as a float
      // everywhere.
      String digits = value.decimalValue().toPlainString();
      return digits.contains(".") ? digits : digits + ".0";
    }
    if (!value.isTextual()) {
      return value.isNull() ? "null" : value.toString();
    }
    String text = value.asText();
    if (json || like == ScalarStyle.DOUBLE_QUOTED) {
      return quoted(text);
    }
    if (like == ScalarStyle.SINGLE_QUOTED && text.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
      return "'" + text.replace("'", "''") + "'";
    }
    return isPlainSafe(text, inFlow) ? text : quoted(text);
  }

  static boolean isPlainSafe(String text, boolean inFlow) {
    return (inFlow ? PLAIN : PLAIN_IN_BLOCK).matcher(text).matches()
        && !OTHER_READERS.matcher(text).matches()
        && YAML_11.resolve(NodeId.scalar, text, true).equals(Tag.STR);
  }

  private static String quoted(String text) {
    return TextNode.valueOf(text).toString();
  }

  String key(String key) {
    return !json && isPlainSafe(key, true) ? key : quoted(key);
  }

  /**
   * A string of several lines as a literal block ({@code |}), the way Istio's and Kubernetes' docs
   * write multi-line annotations; null when the string cannot be one (leading space on its first
   * line needs an indentation indicator, carriage returns and control characters are not literal).
   */
  String literalBlock(JsonNode value, String indent) {
    if (json || !value.isTextual()) {
      return null;
    }
    String text = value.asText();
    if (!text.contains("\n")
        || text.startsWith(" ")
        || text.startsWith("\n")
        || text.chars().anyMatch(c -> (c < 0x20 && c != '\n') || c == 0x7f)) {
      return null;
    }
    String body = text.replaceAll("\n+$", "");
    int trailing = text.length() - body.length();
    StringBuilder out =
        new StringBuilder(trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+").append('\n');
    for (String line : (body + "\n".repeat(Math.max(0, trailing - 1))).split("\n", -1)) {
      out.append(line.isEmpty() ? "" : indent + line).append('\n');
    }
    return out.toString();
  }

  // --- block style -----------------------------------------------------------------------------

  /**
   * {@code key: value} lines, each ending with a line break, the first indented by {@code indent};
   * {@code keyText} is the key as written (see {@link #key}).
   */
  String blockEntry(String keyText, JsonNode value, String indent) {
    return indent + keyText + ":" + blockValue(value, indent, indent + " ".repeat(sequenceIndent));
  }

  /** A list item's lines, the first starting with {@code indent} and {@code "- "}. */
  String blockItem(JsonNode value, String indent) {
    String existing = reused == null ? null : reused.of(value, indent);
    if (existing != null) {
      return existing;
    }
    String inner = indent + "  ";
    if (value.isContainerNode() && !value.isEmpty()) {
      String lines = value.isObject() ? blockMapping(value, inner) : blockSequence(value, inner);
      return indent + "- " + lines.substring(inner.length());
    }
    return indent + "-" + blockValue(value, indent, inner);
  }

  /** What follows a key's colon or an item's dash: the value inline, or on the lines below. */
  private String blockValue(JsonNode value, String indent, String sequenceAt) {
    if (value.isObject() && !value.isEmpty()) {
      return "\n" + blockMapping(value, indent + indentUnit);
    }
    if (value.isArray() && !value.isEmpty()) {
      return "\n" + blockSequence(value, sequenceAt);
    }
    if (value.isContainerNode()) {
      return value.isObject() ? " {}\n" : " []\n";
    }
    String literal = literalBlock(value, indent + indentUnit);
    return literal != null ? " " + literal : " " + scalar(value, ScalarStyle.PLAIN, false) + "\n";
  }

  private String blockMapping(JsonNode value, String indent) {
    StringBuilder out = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      out.append(blockEntry(key(field.getKey()), field.getValue(), indent));
    }
    return out.toString();
  }

  private String blockSequence(JsonNode value, String indent) {
    StringBuilder out = new StringBuilder();
    value.forEach(item -> out.append(blockItem(item, indent)));
    return out.toString();
  }

  // --- flow style (and JSON) -------------------------------------------------------------------

  /** {@code key: value} inside braces. */
  String flowEntry(String key, JsonNode value, String indent, boolean multiLine) {
    return key(key) + colon + flow(value, indent, multiLine);
  }

  /**
   * A value in flow style. Multi-line puts each child on its own line one level right of {@code
   * indent} and the closing bracket at {@code indent}, as pretty-printed JSON does.
   */
  String flow(JsonNode value, String indent, boolean multiLine) {
    if (!value.isContainerNode()) {
      return scalar(value, ScalarStyle.PLAIN, true);
    }
    String open = value.isObject() ? "{" : "[";
    String close = value.isObject() ? "}" : "]";
    if (value.isEmpty()) {
      return open + close;
    }
    String inner = indent + indentUnit;
    StringBuilder out = new StringBuilder(open);
    String separator = multiLine ? ",\n" + inner : ", ";
    out.append(multiLine ? "\n" + inner : "");
    boolean first = true;
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        out.append(first ? "" : separator)
            .append(flowEntry(field.getKey(), field.getValue(), inner, multiLine));
        first = false;
      }
    } else {
      for (JsonNode item : value) {
        out.append(first ? "" : separator).append(flow(item, inner, multiLine));
        first = false;
      }
    }
    return out.append(multiLine ? "\n" + indent : "").append(close).toString();
  }
}
