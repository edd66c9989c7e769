package io.saferollout.manifest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One YAML document of a file, with the exact text it was read from so that documents nobody
 * changes can be written back byte for byte.
 *
 * @param index position in the file, from 0
 * @param separator the {@code ---} line (with its line break) that opened this document, or "" for
 *     the first document when the file does not start with one
 * @param body the document's text after the separator, up to the next separator
 * @param startLine the 1-based line of the document's first content (its first key), or of the
 *     separator when the document is empty
 * @param tree the parsed content; null for a document with no content (only comments)
 * @param lines source lines of the tree's fields
 */
public record ManifestDocument(
    ManifestSource source,
    int index,
    String separator,
    String body,
    int startLine,
    JsonNode tree,
    SourceLines lines) {

  public boolean isEmpty() {
    return tree == null || tree.isNull() || tree.isMissingNode();
  }

  /**
   * The comment and blank lines before the content, e.g. Helm's {@code # Source:
   * chart/templates/x.yaml}.
   */
  public String leadingComments() {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int end = body.indexOf('\n', i);
      end = end < 0 ? body.length() : end + 1;
      String line = body.substring(i, end).strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        break;
      }
      out.append(body, i, end);
      i = end;
    }
    return out.toString();
  }
}
