package io.saferollout.harden;

import io.saferollout.harden.SourceNode.Mapping;
import io.saferollout.harden.SourceNode.Scalar;
import io.saferollout.harden.SourceNode.ScalarStyle;
import io.saferollout.harden.SourceNode.Sequence;
import java.util.regex.Pattern;

/**
 * Where the pieces of a document begin and end as a reader of its lines sees them: the parser's
 * marks give node spans, but a block collection "ends" at the next token (past trailing comments
 * and blank lines), and a block scalar past the blank lines after it.
 */
final class SourceSpans {
  /** A block scalar header with keep chomping: {@code |+}, {@code >+}, {@code |2+}, {@code |+2}. */
  private static final Pattern KEEP =
      Pattern.compile("[|>](?:[1-9]?\\+|\\+[1-9]?).*", Pattern.DOTALL);

  private final String text;
  private final LinePositions lines;

  SourceSpans(String text, LinePositions lines) {
    this.text = text;
    this.lines = lines;
  }

  /**
   * Where the last value under {@code node} ends: block collections end where their last leaf does.
   */
  int lastLeafEnd(SourceNode node) {
    if (node instanceof Mapping m && !m.flow() && !m.entries().isEmpty()) {
      return lastLeafEnd(m.entries().get(m.entries().size() - 1).value());
    }
    if (node instanceof Sequence s && !s.flow() && !s.items().isEmpty()) {
      return lastLeafEnd(s.items().get(s.items().size() - 1));
    }
    return node instanceof Scalar scalar ? contentEnd(scalar) : node.end();
  }

  /**
   * The start of the line after the last value under {@code node}: where a sibling may be added.
   */
  int linesEnd(SourceNode node) {
    return lines.lineEndAfter(lastLeafEnd(node));
  }

  /**
   * A block scalar's end mark lies past the blank lines after it; those belong to it only with keep
   * chomping (YAML 1.2, 8.1.1.2).
   */
  int contentEnd(Scalar scalar) {
    if (scalar.style() != ScalarStyle.LITERAL && scalar.style() != ScalarStyle.FOLDED) {
      return scalar.end();
    }
    if (KEEP.matcher(text.substring(scalar.start(), lines.lineEndAfter(scalar.start())))
        .matches()) {
      return Math.max(lines.lineStart(scalar.end()) - 1, scalar.start());
    }
    int end = scalar.end();
    while (end > scalar.start() && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  /** The {@code -} that opens a block list item. */
  int dashOf(SourceNode item) {
    int i = item.start() - 1;
    while (i > 0 && text.charAt(i) != '-') {
      i--;
    }
    return Math.max(i, 0);
  }

  /**
   * The start of the comment lines right above {@code lineStart} at the same indentation: they
   * describe what is removed there (or moved), so they go with it.
   */
  int withHeadComments(int lineStart) {
    if (lineStart == 0 || !lines.startsLine(lineStart)) {
      return lineStart;
    }
    String indent = lines.lineIndent(lineStart);
    int start = lineStart;
    while (start > 0) {
      int previous = lines.lineStart(start - 1);
      if (!text.startsWith(indent + "#", previous) || !lines.lineIndent(previous).equals(indent)) {
        break;
      }
      start = previous;
    }
    return start;
  }

  /**
   * Comment lines indented deeper than new keys at {@code keyColumn} still belong to the content
   * above them (a trailing note inside the pod spec), so keys of an outer mapping go after them.
   */
  int pastDeeperComments(int at, int keyColumn) {
    int end = at;
    int i = at;
    while (i < text.length()) {
      int next = lines.lineEndAfter(i);
      String line = text.substring(i, next);
      if (!line.isBlank()) {
        String code = line.stripLeading();
        if (!code.startsWith("#") || line.length() - code.length() <= keyColumn) {
          break;
        }
        end = next;
      }
      i = next;
    }
    return end;
  }

  boolean spansLines(SourceNode node) {
    return text.substring(node.start(), node.end()).contains("\n");
  }
}
