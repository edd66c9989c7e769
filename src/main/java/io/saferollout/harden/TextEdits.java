package io.saferollout.harden;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Replacements of ranges of one text, applied together. A replacement is written when applied, so
 * that what it writes may depend on edits recorded after it (a moved list item is written where it
 * is added, from the lines where it was removed, in whichever order the two were found).
 */
final class TextEdits {
  private final String text;
  private final List<TextEdit> edits = new ArrayList<>();

  /** Replace {@code [start, end)}; an insertion has {@code start == end}. */
  private record TextEdit(int start, int end, Supplier<String> replacement, int order) {}

  TextEdits(String text) {
    this.text = text;
  }

  void replace(int start, int end, String replacement) {
    replace(start, end, () -> replacement);
  }

  void replace(int start, int end, Supplier<String> replacement) {
    edits.add(new TextEdit(start, end, replacement, edits.size()));
  }

  /**
   * Whole lines at {@code at}, the start of a line (or the end of a text without a final line
   * break).
   */
  void insertLines(int at, Supplier<String> lines) {
    if (at == text.length() && !text.isEmpty() && !text.endsWith("\n")) {
      replace(
          at,
          at,
          () -> {
            String written = lines.get();
            return "\n" + written.substring(0, written.length() - 1);
          });
    } else {
      replace(at, at, lines);
    }
  }

  /**
   * The text with every edit applied, in text order. At one offset, insertions go before a
   * replacement that starts there (what is added to a mapping ends where its next sibling starts),
   * in the order they were recorded (deeper fields are visited, and so inserted, before the fields
   * their parent gains). Line breaks written follow the text's own ({@code \r\n} or {@code \n}).
   */
  String apply() {
    List<TextEdit> sorted = new ArrayList<>(edits);
    sorted.sort(
        Comparator.comparingInt(TextEdit::start)
            .thenComparing(e -> e.end() > e.start())
            .thenComparingInt(TextEdit::order));
    StringBuilder out = new StringBuilder(text.length() + 256);
    boolean crlf = text.contains("\r\n");
    int cursor = 0;
    for (TextEdit edit : sorted) {
      if (edit.start() < cursor) {
        throw new IllegalStateException("overlapping edits at offset " + edit.start());
      }
      String replacement = edit.replacement().get();
      out.append(text, cursor, edit.start())
          .append(crlf ? replacement.replace("\n", "\r\n") : replacement);
      cursor = edit.end();
    }
    return out.append(text, cursor, text.length()).toString();
  }
}
