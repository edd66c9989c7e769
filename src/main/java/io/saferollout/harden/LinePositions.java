package io.saferollout.harden;

/** Line arithmetic on a document's text, by offset. */
record LinePositions(String text) {

  int lineStart(int offset) {
    return text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The start of the next line, or the end of the text on its last line. */
  int lineEndAfter(int offset) {
    int newline = text.indexOf('\n', offset);
    return newline < 0 ? text.length() : newline + 1;
  }

  int column(int offset) {
    return offset - lineStart(offset);
  }

  /** Only spaces or tabs before {@code offset} on its line. */
  boolean startsLine(int offset) {
    return text.substring(lineStart(offset), offset).isBlank();
  }

  /** The spaces or tabs that start the line holding {@code offset}. */
  String lineIndent(int offset) {
    int start = lineStart(offset);
    int i = start;
    while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    return text.substring(start, i);
  }
}
