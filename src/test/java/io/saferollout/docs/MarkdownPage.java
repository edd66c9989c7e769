package io.saferollout.docs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The links and heading anchors of one Markdown page, as GitHub renders it. Fenced code blocks and
 * inline code are text, not Markdown, so links and headings inside them do not count.
 */
final class MarkdownPage {
  /** A link as written, with the line it is on (1-based). */
  record Link(int line, String target) {}

  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
  private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}(?:\\s+(.*?))?\\s*$");
  private static final Pattern ATX_CLOSING = Pattern.compile("(?:^|\\s+)#+$");
  private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(?:=+|-+)\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern INLINE_LINK =
      Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?([^\\s>]+)>?");
  private static final Pattern HTML_ANCHOR =
      Pattern.compile("<a\\s+(?:[^>]*\\s)?(?:id|name)=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

  /**
   * What GitHub's slugger (github-slugger) removes from a heading's text: everything but letters,
   * marks, digits, connector punctuation (the underscore), spaces and hyphens.
   */
  private static final Pattern NOT_IN_SLUG = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

  private final List<Link> links = new ArrayList<>();
  private final Set<String> anchors = new LinkedHashSet<>();

  private MarkdownPage() {}

  static MarkdownPage parse(String markdown) {
    MarkdownPage page = new MarkdownPage();
    Map<String, Integer> slugsSeen = new HashMap<>();
    String fence = null;
    String previous = "";
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      Matcher fenceLine = FENCE.matcher(line);
      if (fence != null) {
        if (fenceLine.find() && fenceLine.group(1).startsWith(fence)) {
          fence = null;
        }
        previous = "";
        continue;
      }
      if (fenceLine.find()) {
        fence = fenceLine.group(1).substring(0, 3);
        previous = "";
        continue;
      }
      String text = withoutCodeSpans(line);
      Matcher atx = ATX_HEADING.matcher(line);
      if (atx.matches()) {
        String heading =
            atx.group(1) == null ? "" : ATX_CLOSING.matcher(atx.group(1)).replaceAll("");
        page.anchors.add(unique(slug(heading), slugsSeen));
      } else if (SETEXT_UNDERLINE.matcher(line).matches() && isParagraphText(previous)) {
        page.anchors.add(unique(slug(previous.strip()), slugsSeen));
      }
      Matcher inline = INLINE_LINK.matcher(text);
      while (inline.find()) {
        page.links.add(new Link(i + 1, inline.group(1)));
      }
      Matcher reference = REFERENCE_DEFINITION.matcher(text);
      if (reference.find()) {
        page.links.add(new Link(i + 1, reference.group(1)));
      }
      Matcher html = HTML_ANCHOR.matcher(text);
      while (html.find()) {
        page.anchors.add(html.group(1));
      }
      previous = line;
    }
    return page;
  }

  List<Link> links() {
    return links;
  }

  /** The anchors a link's {@code #fragment} may name: heading slugs and HTML ids. */
  Set<String> anchors() {
    return anchors;
  }

  /**
   * A heading's anchor as GitHub makes it: the rendered text (Markdown syntax gone, code kept)
   * lower-cased, punctuation removed, each space a hyphen.
   */
  static String slug(String heading) {
    String rendered =
        heading
            .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
            .replaceAll("<[^>]+>", "")
            .replace("`", "");
    return NOT_IN_SLUG
        .matcher(rendered.strip().toLowerCase(Locale.ROOT))
        .replaceAll("")
        .replace(' ', '-');
  }

  /** A second heading with the same slug gets "-1", a third "-2", as on GitHub. */
  private static String unique(String slug, Map<String, Integer> seen) {
    Integer count = seen.get(slug);
    seen.put(slug, count == null ? 1 : count + 1);
    return count == null ? slug : slug + "-" + count;
  }

  private static boolean isParagraphText(String line) {
    String t = line.strip();
    return !t.isEmpty()
        && !t.startsWith("|")
        && !t.startsWith("#")
        && !t.startsWith(">")
        && !t.matches("^([-*+]|\\d+[.)])\\s.*")
        && !line.startsWith("    ");
  }

  private static String withoutCodeSpans(String line) {
    Matcher code = CODE_SPAN.matcher(line);
    StringBuilder out = new StringBuilder();
    while (code.find()) {
      code.appendReplacement(out, " ".repeat(code.group().length()));
    }
    code.appendTail(out);
    return out.toString();
  }
}
