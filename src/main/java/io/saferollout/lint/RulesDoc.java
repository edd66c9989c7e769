package io.saferollout.lint;

import io.saferollout.rules.Rule;
import java.util.Locale;

/**
 * The rule reference, as {@code saferollout explain} prints it and as {@code docs/rules.md} holds
 * it; both are rendered from the {@link Rule} catalogue, so they cannot drift apart.
 */
public final class RulesDoc {
  private RulesDoc() {}

  /** One rule for the terminal. */
  public static String explain(Rule rule) {
    return rule.id()
        + " ("
        + rule.severity()
        + "): "
        + rule.title()
        + "\n\n"
        + "What fails at rollout time:\n"
        + wrap(rule.whatFails(), "  ")
        + "\n\n"
        + "Fix:\n"
        + wrap(rule.fix(), "  ")
        + "\n";
  }

  /** The whole catalogue as Markdown: the content of docs/rules.md. */
  public static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# SafeRollout rules\n\n");
    out.append("<!-- Generated from io.saferollout.rules.Rule; do not edit. Regenerate with\n")
        .append("     ./mvnw -B -q test -Dtest=RulesDocTest -Ddocs.update=true -->\n\n");
    out.append(
            "The rules `saferollout lint`, `saferollout harden` and the operator share. Ids are stable.\n")
        .append("`saferollout explain SR00X` prints one rule; the annotation\n")
        .append(
            "`saferollout.io/lint-disable: \"SR003,SR007\"` (or `all`) switches rules off for one object.\n\n");
    out.append("| id | severity | title |\n|---|---|---|\n");
    for (Rule rule : Rule.values()) {
      out.append("| [")
          .append(rule.id())
          .append("](#")
          .append(rule.id().toLowerCase(Locale.ROOT))
          .append(") | ")
          .append(rule.severity())
          .append(" | ")
          .append(rule.title())
          .append(" |\n");
    }
    for (Rule rule : Rule.values()) {
      out.append("\n## ").append(rule.id()).append("\n\n");
      out.append("**").append(rule.title()).append("** (").append(rule.severity()).append(")\n\n");
      out.append("What fails at rollout time: ").append(rule.whatFails()).append("\n\n");
      out.append("Fix: ").append(rule.fix()).append("\n");
    }
    return out.toString();
  }

  private static String wrap(String text, String indent) {
    StringBuilder out = new StringBuilder(indent);
    int column = indent.length();
    for (String word : text.split(" ")) {
      if (column + word.length() > 96 && column > indent.length()) {
        out.append('\n').append(indent);
        column = indent.length();
      } else if (column > indent.length()) {
        out.append(' ');
        column++;
      }
      out.append(word);
      column += word.length();
    }
    return out.toString();
  }
}
