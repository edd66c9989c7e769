package io.saferollout.harden;

import java.util.List;

/**
 * Where each node of a parsed document sits in its text, as offsets into the document's text
 * ({@code start} inclusive, {@code end} exclusive). Only what {@link DocumentEditor} needs to
 * splice: node spans, key spans, block or flow, and how a scalar was written.
 */
sealed interface SourceNode {
  int start();

  int end();

  /**
   * Also reached through a YAML alias: an edit inside would change every place that refers to it.
   */
  boolean shared();

  /** A mapping; {@code flow} for {@code {...}} and for every JSON object. */
  record Mapping(int start, int end, boolean flow, boolean shared, List<Entry> entries)
      implements SourceNode {
    public Mapping {
      entries = List.copyOf(entries);
    }

    Entry entry(String key) {
      return entries.stream().filter(e -> e.key().equals(key)).findFirst().orElse(null);
    }
  }

  /** One key and its value; {@code keyEnd} is right after the key's text (before the colon). */
  record Entry(String key, int keyStart, int keyEnd, SourceNode value) {}

  /**
   * A sequence; {@code start} is its first {@code -} in block style, its {@code [} in flow style.
   */
  record Sequence(int start, int end, boolean flow, boolean shared, List<SourceNode> items)
      implements SourceNode {
    public Sequence {
      items = List.copyOf(items);
    }
  }

  /** A scalar as written; a block scalar's {@code end} may lie past trailing blank lines. */
  record Scalar(int start, int end, boolean shared, ScalarStyle style) implements SourceNode {}

  enum ScalarStyle {
    PLAIN,
    SINGLE_QUOTED,
    DOUBLE_QUOTED,
    LITERAL,
    FOLDED
  }
}
