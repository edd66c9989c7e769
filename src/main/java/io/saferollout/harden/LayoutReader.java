package io.saferollout.harden;

import io.saferollout.harden.SourceNode.Entry;
import io.saferollout.harden.SourceNode.Mapping;
import io.saferollout.harden.SourceNode.Sequence;

/**
 * Reads how a document is laid out, so that what {@code harden} adds looks like what is there: the
 * indentation of one level (the first nested mapping shows it), how far lists sit right of their
 * keys (kubectl and kustomize write {@code -} under the key, Helm charts mostly two spaces in), and
 * the separator between a key and its value in flow style and JSON.
 */
final class LayoutReader {
  private static final String DEFAULT_UNIT = "  ";

  private final String text;
  private final LinePositions lines;
  private final boolean json;
  private String unit;
  private Integer sequenceIndent;
  private String colon;

  LayoutReader(String text, boolean json) {
    this.text = text;
    this.lines = new LinePositions(text);
    this.json = json;
  }

  ValueWriter writer(SourceNode root) {
    visit(root);
    String u = unit == null ? DEFAULT_UNIT : unit;
    int seq =
        sequenceIndent == null
            ? (u.isBlank() && !u.contains("\t") ? u.length() : 2)
            : sequenceIndent;
    return new ValueWriter(json, u, seq, colon == null ? ": " : colon);
  }

  private void visit(SourceNode node) {
    if (node instanceof Sequence sequence) {
      sequence.items().forEach(this::visit);
      return;
    }
    if (!(node instanceof Mapping mapping)) {
      return;
    }
    for (Entry entry : mapping.entries()) {
      SourceNode value = entry.value();
      if (colon == null && mapping.flow() && value.start() >= entry.keyEnd()) {
        String between = text.substring(entry.keyEnd(), value.start());
        if (!between.contains("\n") && between.strip().equals(":")) {
          colon = between;
        }
      }
      if (unit == null
          && value instanceof Mapping child
          && !child.entries().isEmpty()
          && lines.startsLine(entry.keyStart())) {
        int childKey = child.entries().get(0).keyStart();
        String parentIndent = lines.lineIndent(entry.keyStart());
        String childIndent = lines.lineIndent(childKey);
        if (lines.startsLine(childKey)
            && lines.lineStart(childKey) > lines.lineStart(entry.keyStart())
            && childIndent.startsWith(parentIndent)
            && childIndent.length() > parentIndent.length()) {
          unit = childIndent.substring(parentIndent.length());
        }
      }
      if (sequenceIndent == null
          && value instanceof Sequence list
          && !list.flow()
          && lines.startsLine(entry.keyStart())) {
        sequenceIndent = Math.max(0, lines.column(list.start()) - lines.column(entry.keyStart()));
      }
      visit(value);
    }
  }
}
