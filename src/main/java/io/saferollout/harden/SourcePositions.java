package io.saferollout.harden;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.saferollout.harden.SourceNode.Entry;
import io.saferollout.harden.SourceNode.Mapping;
import io.saferollout.harden.SourceNode.Scalar;
import io.saferollout.harden.SourceNode.ScalarStyle;
import io.saferollout.harden.SourceNode.Sequence;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads one document's text into {@link SourceNode}s: YAML with SnakeYAML's composer, whose marks
 * give every node's span; JSON with Jackson, since pretty-printed JSON may indent with tabs, which
 * YAML forbids (the same reason {@code ManifestReader} reads JSON as JSON).
 */
final class SourcePositions {
  private static final JsonFactory JSON = new JsonFactory();

  /** Read-only once built; building one per document would cost more than the parse. */
  private static final Resolver RESOLVER = new Resolver();

  private SourcePositions() {}

  /** Null for a document without content. The text has already been parsed once, so it is valid. */
  static SourceNode yaml(String text) {
    LoaderOptions options = new LoaderOptions();
    Node root =
        new Composer(
                new ParserImpl(new StreamReader(new StringReader(text)), options),
                RESOLVER,
                options)
            .getSingleNode();
    if (root == null) {
      return null;
    }
    Map<Node, Integer> visits = new IdentityHashMap<>();
    count(root, visits);
    return new YamlBuilder(text, visits).build(root, false);
  }

  /** Aliases make the composer hand out the same node again: such nodes are counted twice. */
  private static void count(Node node, Map<Node, Integer> visits) {
    if (visits.merge(node, 1, Integer::sum) > 1) {
      return;
    }
    if (node instanceof MappingNode map) {
      for (NodeTuple tuple : map.getValue()) {
        count(tuple.getKeyNode(), visits);
        count(tuple.getValueNode(), visits);
      }
    } else if (node instanceof SequenceNode seq) {
      seq.getValue().forEach(item -> count(item, visits));
    }
  }

  private record YamlBuilder(String text, Map<Node, Integer> visits, int[] charIndex) {
    YamlBuilder(String text, Map<Node, Integer> visits) {
      this(text, visits, charIndexOfCodePoints(text));
    }

    SourceNode build(Node node, boolean insideShared) {
      boolean shared = insideShared || visits.getOrDefault(node, 1) > 1;
      int start = offset(node.getStartMark());
      int end = offset(node.getEndMark());
      if (node instanceof MappingNode map) {
        List<Entry> entries = new ArrayList<>();
        for (NodeTuple tuple : map.getValue()) {
          Node key = tuple.getKeyNode();
          String name = key instanceof ScalarNode scalar ? scalar.getValue() : null;
          entries.add(
              new Entry(
                  name,
                  offset(key.getStartMark()),
                  offset(key.getEndMark()),
                  build(tuple.getValueNode(), shared)));
        }
        return new Mapping(
            start, end, map.getFlowStyle() == DumperOptions.FlowStyle.FLOW, shared, entries);
      }
      if (node instanceof SequenceNode seq) {
        List<SourceNode> items = seq.getValue().stream().map(item -> build(item, shared)).toList();
        return new Sequence(
            start, end, seq.getFlowStyle() == DumperOptions.FlowStyle.FLOW, shared, items);
      }
      ScalarNode scalar = (ScalarNode) node;
      return new Scalar(
          start,
          end,
          shared,
          switch (scalar.getScalarStyle()) {
            case SINGLE_QUOTED -> ScalarStyle.SINGLE_QUOTED;
            case DOUBLE_QUOTED -> ScalarStyle.DOUBLE_QUOTED;
            case LITERAL -> ScalarStyle.LITERAL;
            case FOLDED -> ScalarStyle.FOLDED;
            default -> ScalarStyle.PLAIN;
          });
    }

    /**
     * SnakeYAML counts code points; Java strings index UTF-16 chars (they differ past U+FFFF, e.g.
     * emoji).
     */
    int offset(Mark mark) {
      int index = mark.getIndex();
      return charIndex == null ? index : charIndex[Math.min(index, charIndex.length - 1)];
    }

    private static int[] charIndexOfCodePoints(String text) {
      if (text.codePointCount(0, text.length()) == text.length()) {
        return null;
      }
      int[] index = new int[text.codePointCount(0, text.length()) + 1];
      int cp = 0;
      for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
        index[cp++] = i;
      }
      index[cp] = text.length();
      return index;
    }
  }

  /** Null for empty text. */
  static SourceNode json(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      return parser.nextToken() == null ? null : jsonValue(parser, text);
    } catch (IOException e) {
      throw new UncheckedIOException("JSON that was read once cannot be read again", e);
    }
  }

  private static SourceNode jsonValue(JsonParser p, String text) throws IOException {
    int start = (int) p.currentTokenLocation().getCharOffset();
    JsonToken token = p.currentToken();
    if (token == JsonToken.START_OBJECT) {
      List<Entry> entries = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        int keyStart = (int) p.currentTokenLocation().getCharOffset();
        String name = p.currentName();
        p.nextToken();
        entries.add(new Entry(name, keyStart, endOfJsonString(text, keyStart), jsonValue(p, text)));
      }
      return new Mapping(
          start, (int) p.currentTokenLocation().getCharOffset() + 1, true, false, entries);
    }
    if (token == JsonToken.START_ARRAY) {
      List<SourceNode> items = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        items.add(jsonValue(p, text));
      }
      return new Sequence(
          start, (int) p.currentTokenLocation().getCharOffset() + 1, true, false, items);
    }
    if (token == JsonToken.VALUE_STRING) {
      return new Scalar(start, endOfJsonString(text, start), false, ScalarStyle.DOUBLE_QUOTED);
    }
    int end = start;
    while (end < text.length() && "0123456789+-.eEtruefalsn".indexOf(text.charAt(end)) >= 0) {
      end++;
    }
    return new Scalar(start, end, false, ScalarStyle.PLAIN);
  }

  /** The offset after the closing quote of the JSON string that opens at {@code quote}. */
  private static int endOfJsonString(String text, int quote) {
    int i = quote + 1;
    while (i < text.length() && text.charAt(i) != '"') {
      i += text.charAt(i) == '\\' ? 2 : 1;
    }
    return i + 1;
  }
}
