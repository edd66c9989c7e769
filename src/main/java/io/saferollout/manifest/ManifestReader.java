package io.saferollout.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads multi-document YAML (and JSON, which is YAML) into documents with source lines: what {@code
 * kubectl apply -f}, {@code helm template} and {@code kustomize build} produce or accept.
 *
 * <p>Documents are split on {@code ---} lines before parsing. That is exact, not a heuristic: a
 * {@code ---} at the start of a line always ends a document in YAML 1.2, even inside a block scalar
 * (spec 9.1.4, "c-forbidden"), and splitting keeps each document's original text for {@code harden}
 * to pass through untouched.
 */
public final class ManifestReader {
  private static final Pattern SEPARATOR = Pattern.compile("^---(?:[ \\t].*)?\\r?\\n?$");
  private static final YAMLFactory YAML = new YAMLFactory();

  /** JSON files are read as JSON: pretty-printed JSON may indent with tabs, which YAML forbids. */
  private static final JsonFactory JSON = new JsonFactory();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ManifestReader() {}

  /**
   * @throws MalformedManifestException with the file and line of the first syntax error
   */
  public static ManifestFile read(ManifestSource source, String text) {
    if (source.isJson()) {
      return new ManifestFile(source, text, List.of(document(JSON, source, 0, "", text, 1, 0)));
    }
    List<ManifestDocument> documents = new ArrayList<>();
    String separator = "";
    int separatorLine = 0;
    StringBuilder body = new StringBuilder();
    int bodyFirstLine = 1;
    int lineNo = 0;
    int i = 0;
    while (i < text.length()) {
      int end = text.indexOf('\n', i);
      end = end < 0 ? text.length() : end + 1;
      String line = text.substring(i, end);
      lineNo++;
      if (SEPARATOR.matcher(line).matches()) {
        if (lineNo > 1) {
          documents.add(
              document(
                  YAML,
                  source,
                  documents.size(),
                  separator,
                  body.toString(),
                  bodyFirstLine,
                  separatorLine));
        }
        separator = line;
        separatorLine = lineNo;
        body.setLength(0);
        bodyFirstLine = lineNo + 1;
      } else {
        body.append(line);
      }
      i = end;
    }
    if (!separator.isEmpty() || body.length() > 0 || documents.isEmpty()) {
      documents.add(
          document(
              YAML,
              source,
              documents.size(),
              separator,
              body.toString(),
              bodyFirstLine,
              separatorLine));
    }
    return new ManifestFile(source, text, documents);
  }

  private static ManifestDocument document(
      JsonFactory factory,
      ManifestSource source,
      int index,
      String separator,
      String body,
      int firstLine,
      int separatorLine) {
    SourceLines lines = new SourceLines();
    int offset = firstLine - 1;
    JsonNode tree;
    int startLine;
    try (JsonParser parser = factory.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        tree = null;
        startLine = Math.max(separatorLine, 1);
      } else {
        startLine = line(parser.currentTokenLocation(), offset);
        tree = value(parser, lines, offset);
        if (parser.nextToken() != null) {
          throw new MalformedManifestException(
              source.name(),
              line(parser.currentTokenLocation(), offset),
              "more than one document without a '---' line between them",
              null);
        }
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? firstLine : line(at, offset);
      if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
        // SnakeYAML's own message spans several lines with excerpts; its problem and mark are the
        // gist.
        line = yaml.getProblemMark().getLine() + 1 + offset;
        String context = yaml.getContext() == null ? "" : yaml.getContext() + ": ";
        throw new MalformedManifestException(
            source.name(), line, "not valid YAML: " + context + yaml.getProblem(), e);
      }
      throw new MalformedManifestException(
          source.name(),
          line,
          (factory == JSON ? "not valid JSON: " : "not valid YAML: ")
              + firstLine(e.getOriginalMessage()),
          e);
    } catch (IOException e) {
      throw new MalformedManifestException(
          source.name(), firstLine, "cannot be read: " + e.getMessage(), e);
    }
    return new ManifestDocument(source, index, separator, body, startLine, tree, lines);
  }

  private static JsonNode value(JsonParser p, SourceLines lines, int offset) throws IOException {
    JsonToken token = p.currentToken();
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          lines.field(object, name, line(p.currentTokenLocation(), offset));
          p.nextToken();
          object.set(name, value(p, lines, offset));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          lines.element(array, line(p.currentTokenLocation(), offset));
          array.add(value(p, lines, offset));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE -> {
        return NODES.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return NODES.booleanNode(false);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> {
        return NODES.textNode(p.getText());
      }
    }
  }

  private static int line(JsonLocation location, int offset) {
    return Math.max(location.getLineNr(), 1) + offset;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
