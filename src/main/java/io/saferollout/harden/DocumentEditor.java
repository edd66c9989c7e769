package io.saferollout.harden;

import com.fasterxml.jackson.databind.JsonNode;
import io.saferollout.harden.SourceNode.Entry;
import io.saferollout.harden.SourceNode.Mapping;
import io.saferollout.harden.SourceNode.Scalar;
import io.saferollout.harden.SourceNode.Sequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one document's text into the text of its hardened tree by splicing at the positions the
 * parser reported: only the values that differ are rewritten, every other byte (comments, quoting,
 * flow or block style, blank lines, key order) stays as it was.
 *
 * <p>The edit is the difference between the tree as read and the tree with the plan applied, so
 * several changes under one new parent (all of {@code strategy.rollingUpdate}) become one
 * insertion. Lists whose elements all have a {@code name} are matched by name, the way Kubernetes
 * merges containers, ports and env (strategic merge patch {@code patchMergeKey}); other lists by
 * position. New fields go after the last field of their mapping, in the mapping's own style: block
 * with its indentation, or flow (and JSON) with its separators.
 */
final class DocumentEditor {
  private final String text;
  private final LinePositions lines;
  private final boolean json;
  private final SourceSpans spans;
  private final ValueWriter writer;
  private final TextEdits edits;

  /** Block list items removed so far, by name: one added elsewhere under that name is a move. */
  private final Map<String, RemovedItem> removedItems = new HashMap<>();

  private record RemovedItem(SourceNode item, JsonNode before) {}

  /** Where a value sits: the value of a mapping's entry, or an item of a list. */
  private sealed interface Slot permits InEntry, InList {}

  private record InEntry(Mapping mapping, Entry entry) implements Slot {}

  private record InList(Sequence sequence, SourceNode item) implements Slot {}

  private DocumentEditor(String text, boolean json, ValueWriter writer) {
    this.text = text;
    this.lines = new LinePositions(text);
    this.spans = new SourceSpans(text, lines);
    this.edits = new TextEdits(text);
    this.json = json;
    this.writer = writer.reusingItems(this::movedItem);
  }

  /**
   * The document's text with {@code before} turned into {@code after}.
   *
   * @param text one document, exactly as read; {@code before} is what it parses to
   * @param json the text is JSON (flow style throughout, quoted keys)
   * @throws IllegalArgumentException when the change lies under a YAML alias, which cannot be
   *     edited in one place without changing the others
   */
  static String edit(String text, boolean json, JsonNode before, JsonNode after) {
    if (before.equals(after)) {
      return text;
    }
    SourceNode root = json ? SourcePositions.json(text) : SourcePositions.yaml(text);
    // JSON read as YAML (from standard input) stays JSON: quoted keys, no plain strings.
    boolean jsonStyle =
        json
            || root instanceof Mapping m
                && m.flow()
                && !m.entries().isEmpty()
                && text.charAt(m.entries().get(0).keyStart()) == '"';
    return edit(
        text, jsonStyle, root, before, after, new LayoutReader(text, jsonStyle).writer(root));
  }

  private static String edit(
      String text,
      boolean json,
      SourceNode root,
      JsonNode before,
      JsonNode after,
      ValueWriter writer) {
    if (!(root instanceof Mapping mapping) || !before.isObject() || !after.isObject()) {
      throw new IllegalStateException("only a mapping at the top of a document can be edited");
    }
    DocumentEditor editor = new DocumentEditor(text, json, writer);
    editor.mapping(before, after, mapping);
    return editor.edits.apply();
  }

  // --- the difference between the trees ---------------------------------------------------------

  private void change(JsonNode before, JsonNode after, SourceNode node, Slot slot) {
    if (before.equals(after)) {
      return;
    }
    editable(node);
    boolean emptied = after.isContainerNode() && after.isEmpty() && !before.isEmpty();
    boolean emptyFlowInBlock =
        !json && isEmptyFlow(node) && !inFlow(slot) && after.isContainerNode();
    if (emptied || emptyFlowInBlock) {
      replace(slot, node, after);
    } else if (before.isObject() && after.isObject() && node instanceof Mapping mapping) {
      mapping(before, after, mapping);
    } else if (before.isArray() && after.isArray() && node instanceof Sequence sequence) {
      sequence(before, after, sequence);
    } else if (before.isValueNode() && after.isValueNode() && node instanceof Scalar scalar) {
      scalar(scalar, after, slot);
    } else {
      replace(slot, node, after);
    }
  }

  private void mapping(JsonNode before, JsonNode after, Mapping mapping) {
    editable(mapping);
    Set<String> seen = new HashSet<>();
    List<Entry> removed = new ArrayList<>();
    for (Entry entry : mapping.entries()) {
      if (entry.key() == null || !seen.add(entry.key())) {
        continue; // a complex or repeated key: Jackson kept one value for it, and it is not
        // Kubernetes'
      }
      JsonNode was = before.get(entry.key());
      if (was == null) {
        throw new IllegalArgumentException(
            "field '"
                + entry.key()
                + "' reads differently as a tree and as text "
                + "(a YAML feature such as a merge key or tag); harden cannot edit this document in place");
      }
      JsonNode now = after.get(entry.key());
      if (now == null) {
        removed.add(entry);
      } else {
        change(was, now, entry.value(), new InEntry(mapping, entry));
      }
    }
    if (!removed.isEmpty()) {
      removeEntries(mapping, removed);
    }
    List<Map.Entry<String, JsonNode>> added = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!before.has(field.getKey())) {
        added.add(field);
      }
    }
    if (!added.isEmpty()) {
      insertEntries(mapping, added);
    }
  }

  private void sequence(JsonNode before, JsonNode after, Sequence sequence) {
    editable(sequence);
    if (sequence.items().size() != before.size()) {
      throw new IllegalArgumentException(
          "a list reads differently as a tree and as text "
              + "(a YAML feature such as an alias); harden cannot edit this document in place");
    }
    List<JsonNode> added = new ArrayList<>();
    List<Integer> removed = new ArrayList<>();
    if (namedElements(before) && namedElements(after)) {
      Set<String> names = new HashSet<>();
      for (int i = 0; i < before.size(); i++) {
        String name = before.get(i).get("name").asText();
        names.add(name);
        JsonNode now = elementNamed(after, name);
        if (now == null) {
          removed.add(i);
        } else {
          change(
              before.get(i),
              now,
              sequence.items().get(i),
              new InList(sequence, sequence.items().get(i)));
        }
      }
      after.forEach(
          e -> {
            if (!names.contains(e.get("name").asText())) {
              added.add(e);
            }
          });
    } else {
      int common = Math.min(before.size(), after.size());
      for (int i = 0; i < common; i++) {
        change(
            before.get(i),
            after.get(i),
            sequence.items().get(i),
            new InList(sequence, sequence.items().get(i)));
      }
      for (int i = common; i < before.size(); i++) {
        removed.add(i);
      }
      for (int i = common; i < after.size(); i++) {
        added.add(after.get(i));
      }
    }
    if (!removed.isEmpty()) {
      removeItems(sequence, removed, before);
    }
    if (!added.isEmpty()) {
      insertItems(sequence, added);
    }
  }

  private static boolean namedElements(JsonNode list) {
    Set<String> names = new HashSet<>();
    for (JsonNode element : list) {
      if (!element.path("name").isTextual() || !names.add(element.get("name").asText())) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode elementNamed(JsonNode list, String name) {
    for (JsonNode element : list) {
      if (name.equals(element.get("name").asText())) {
        return element;
      }
    }
    return null;
  }

  // --- edits ------------------------------------------------------------------------------------

  private void scalar(Scalar scalar, JsonNode after, Slot slot) {
    if (!json && !inFlow(slot)) {
      String literal = writer.literalBlock(after, indentOf(slot) + writer.indentUnit());
      if (literal != null) {
        // Up to the line's end: a comment after the old value would otherwise land inside the
        // block.
        edits.replace(scalar.start(), lines.lineEndAfter(spans.contentEnd(scalar)), literal);
        return;
      }
    }
    edits.replace(
        scalar.start(),
        spans.contentEnd(scalar),
        writer.scalar(after, scalar.style(), json || inFlow(slot)));
  }

  /**
   * A value of another kind (a list where a string was): the whole value, or in block style the
   * whole entry.
   */
  private void replace(Slot slot, SourceNode old, JsonNode after) {
    boolean flowValue = isFlowCollection(old) && !isEmptyFlow(old) && after.isContainerNode();
    if (json || inFlow(slot) || flowValue) {
      edits.replace(
          old.start(),
          old.end(),
          writer.flow(after, lines.lineIndent(old.start()), spans.spansLines(old)));
      return;
    }
    int start = slotStart(slot);
    int end = spans.linesEnd(old);
    String indent = indentOf(slot);
    edits.replace(
        start,
        end,
        () -> {
          String written =
              slot instanceof InEntry in
                  ? writer.blockEntry(
                      text.substring(in.entry().keyStart(), in.entry().keyEnd()), after, indent)
                  : writer.blockItem(after, indent);
          return start == lines.lineStart(start) ? written : written.substring(indent.length());
        });
  }

  private void removeEntries(Mapping mapping, List<Entry> removed) {
    removed.forEach(entry -> editable(entry.value()));
    List<Entry> entries = mapping.entries();
    List<Integer> indexes = removed.stream().map(entries::indexOf).toList();
    if (mapping.flow()) {
      removeFromFlow(
          mapping,
          entries.stream().map(Entry::keyStart).toList(),
          entries.stream().map(e -> e.value().end()).toList(),
          indexes);
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      if (!indexes.contains(i)) {
        continue;
      }
      if (lines.startsLine(entry.keyStart())) {
        edits.replace(
            spans.withHeadComments(slotStart(new InEntry(mapping, entry))),
            spans.linesEnd(entry.value()),
            "");
        continue;
      }
      // The first keys of a list item ("- name: x"): the first key kept moves up behind the dash.
      int kept = i;
      while (kept < entries.size() && indexes.contains(kept)) {
        kept++;
      }
      int end =
          kept < entries.size()
              ? entries.get(kept).keyStart()
              : spans.linesEnd(entries.get(entries.size() - 1).value());
      edits.replace(entry.keyStart(), end, "");
      i = kept - 1;
    }
  }

  private void removeItems(Sequence sequence, List<Integer> removed, JsonNode before) {
    List<SourceNode> items = sequence.items();
    removed.forEach(i -> editable(items.get(i)));
    if (sequence.flow()) {
      removeFromFlow(
          sequence,
          items.stream().map(SourceNode::start).toList(),
          items.stream().map(SourceNode::end).toList(),
          removed);
      return;
    }
    for (int i : removed) {
      SourceNode item = items.get(i);
      edits.replace(
          spans.withHeadComments(slotStart(new InList(sequence, item))), spans.linesEnd(item), "");
      if (before.get(i).path("name").isTextual() && lines.startsLine(spans.dashOf(item))) {
        removedItems.put(before.get(i).get("name").asText(), new RemovedItem(item, before.get(i)));
      }
    }
  }

  /**
   * A list item added under the name of one removed elsewhere (a sidecar moved from {@code
   * containers} to {@code initContainers}): the removed item's own lines, with its comments and
   * quoting, moved to the new indentation and edited into the added item. Null for other items.
   */
  private String movedItem(JsonNode added, String indent) {
    RemovedItem removed =
        added.path("name").isTextual() ? removedItems.remove(added.get("name").asText()) : null;
    if (removed == null || !removed.before().isObject() || !added.isObject()) {
      return null;
    }
    int dash = spans.dashOf(removed.item());
    int from = spans.withHeadComments(lines.lineStart(dash));
    String chunk = text.substring(from, spans.linesEnd(removed.item()));
    int dashColumn = lines.column(dash);
    int dashAt = dash - from;
    // Without its dash the item (with the comments above it) is a mapping indented by its own
    // column: a document of its own.
    String mapping = chunk.substring(0, dashAt) + " " + chunk.substring(dashAt + 1);
    String edited =
        edit(
            mapping,
            false,
            SourcePositions.yaml(mapping),
            removed.before(),
            added,
            writer.reusingItems(null));
    edited = edited.substring(0, dashAt) + "-" + edited.substring(dashAt + 1);
    return shifted(edited, indent.length() - dashColumn);
  }

  /** Every non-blank line moved right ({@code by > 0}) or left by {@code by} columns. */
  private static String shifted(String block, int by) {
    StringBuilder out = new StringBuilder();
    for (String line : block.split("(?<=\n)")) {
      if (line.isBlank() || by == 0) {
        out.append(line);
      } else if (by > 0) {
        out.append(" ".repeat(by)).append(line);
      } else {
        int spaces = 0;
        while (spaces < -by && spaces < line.length() && line.charAt(spaces) == ' ') {
          spaces++;
        }
        out.append(line.substring(spaces));
      }
    }
    return out.toString();
  }

  /**
   * Removes members of {@code {...}} or {@code [...]} with the commas between them: each run of
   * neighbours up to the next member kept, or a run at the end from the last member kept.
   */
  private void removeFromFlow(
      SourceNode collection, List<Integer> starts, List<Integer> ends, List<Integer> removed) {
    int n = starts.size();
    for (int i = 0; i < n; i++) {
      if (!removed.contains(i)) {
        continue;
      }
      int last = i;
      while (last + 1 < n && removed.contains(last + 1)) {
        last++;
      }
      if (last < n - 1) {
        edits.replace(starts.get(i), starts.get(last + 1), "");
      } else if (i > 0) {
        edits.replace(ends.get(i - 1), ends.get(last), "");
      } else {
        edits.replace(collection.start() + 1, collection.end() - 1, "");
      }
      i = last;
    }
  }

  private void insertEntries(Mapping mapping, List<Map.Entry<String, JsonNode>> added) {
    List<Entry> entries = mapping.entries();
    if (mapping.flow()) {
      boolean multiLine =
          !entries.isEmpty()
              && text.substring(mapping.start(), entries.get(0).keyStart()).contains("\n");
      String indent =
          entries.isEmpty()
              ? lines.lineIndent(mapping.start())
              : lines.lineIndent(entries.get(0).keyStart());
      List<String> written =
          added.stream()
              .map(f -> writer.flowEntry(f.getKey(), f.getValue(), indent, multiLine))
              .toList();
      List<Integer> starts = entries.stream().map(Entry::keyStart).toList();
      List<Integer> ends = entries.stream().map(e -> e.value().end()).toList();
      insertIntoFlow(mapping, starts, ends, multiLine, indent, written);
      return;
    }
    String indent = " ".repeat(lines.column(entries.get(0).keyStart()));
    int end = spans.linesEnd(entries.get(entries.size() - 1).value());
    edits.insertLines(
        spans.pastDeeperComments(end, indent.length()),
        () -> {
          StringBuilder written = new StringBuilder();
          added.forEach(
              f -> written.append(writer.blockEntry(writer.key(f.getKey()), f.getValue(), indent)));
          return written.toString();
        });
  }

  private void insertItems(Sequence sequence, List<JsonNode> added) {
    List<SourceNode> items = sequence.items();
    if (sequence.flow()) {
      boolean multiLine =
          !items.isEmpty() && text.substring(sequence.start(), items.get(0).start()).contains("\n");
      String indent =
          items.isEmpty()
              ? lines.lineIndent(sequence.start())
              : lines.lineIndent(items.get(0).start());
      List<String> written =
          added.stream().map(item -> writer.flow(item, indent, multiLine)).toList();
      insertIntoFlow(
          sequence,
          items.stream().map(SourceNode::start).toList(),
          items.stream().map(SourceNode::end).toList(),
          multiLine,
          indent,
          written);
      return;
    }
    String indent = " ".repeat(lines.column(sequence.start()));
    edits.insertLines(
        spans.linesEnd(items.get(items.size() - 1)),
        () -> {
          StringBuilder written = new StringBuilder();
          added.forEach(item -> written.append(writer.blockItem(item, indent)));
          return written.toString();
        });
  }

  /**
   * After the last member, separated as the members already are ({@code ", "}, or a line break and
   * indent).
   */
  private void insertIntoFlow(
      SourceNode collection,
      List<Integer> starts,
      List<Integer> ends,
      boolean multiLine,
      String indent,
      List<String> written) {
    if (starts.isEmpty()) {
      edits.replace(collection.start() + 1, collection.start() + 1, String.join(", ", written));
      return;
    }
    String separator = multiLine ? ",\n" + indent : ", ";
    if (starts.size() >= 2) {
      String between = text.substring(ends.get(0), starts.get(1));
      if (between.strip().equals(",")) {
        separator = between;
      }
    }
    edits.replace(
        ends.get(ends.size() - 1),
        ends.get(ends.size() - 1),
        separator + String.join(separator, written));
  }

  // --- positions --------------------------------------------------------------------------------

  private static void editable(SourceNode node) {
    if (node.shared()) {
      throw new IllegalArgumentException(
          "a field to change is reached through a YAML alias (*name); "
              + "changing it in one place would change it in every place that refers to it: "
              + "write the value out in the Deployment, or harden the rendered output");
    }
  }

  private static boolean inFlow(Slot slot) {
    return slot instanceof InEntry in ? in.mapping().flow() : ((InList) slot).sequence().flow();
  }

  private static boolean isFlowCollection(SourceNode node) {
    return node instanceof Mapping m && m.flow() || node instanceof Sequence s && s.flow();
  }

  private static boolean isEmptyFlow(SourceNode node) {
    return node instanceof Mapping m && m.flow() && m.entries().isEmpty()
        || node instanceof Sequence s && s.flow() && s.items().isEmpty();
  }

  /**
   * Where the entry's key, or the item's dash, begins: its line, when nothing else stands before
   * it.
   */
  private int slotStart(Slot slot) {
    int at =
        slot instanceof InEntry in ? in.entry().keyStart() : spans.dashOf(((InList) slot).item());
    return lines.startsLine(at) ? lines.lineStart(at) : at;
  }

  /** Spaces up to the entry's key or the item's dash. */
  private String indentOf(Slot slot) {
    int at =
        slot instanceof InEntry in ? in.entry().keyStart() : spans.dashOf(((InList) slot).item());
    return " ".repeat(lines.column(at));
  }
}
