package io.saferollout.lint;

/**
 * Something lint saw but could not check, reported so that it is never silently ignored (a
 * StatefulSet the rules do not cover yet, a document that is not a Kubernetes object). Notices are
 * informational: they never fail the run.
 *
 * @param id a stable identifier for machine output, e.g. {@code uncovered-kind}
 * @param subject what it is about, e.g. {@code StatefulSet/shop/db}
 */
public record LintNotice(String id, String file, int line, String subject, String message) {
  public static final String UNCOVERED_KIND = "uncovered-kind";
  public static final String NOT_AN_OBJECT = "not-an-object";
}
