package io.saferollout.lint;

import io.saferollout.manifest.ManifestObject;
import io.saferollout.rules.Severity;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The human report: findings grouped by object, each with its rule, severity, field, message and
 * fix, so a reader can act on it without looking anything up.
 */
final class TextReport {
  private TextReport() {}

  static void write(LintReport report, PrintWriter out) {
    for (ObjectReport object : report.objects()) {
      if (object.findings().isEmpty()) {
        continue;
      }
      ManifestObject o = object.object();
      out.println(o.displayName() + " (" + o.file() + ":" + o.line() + ")");
      for (LintFinding f : object.findings()) {
        out.printf("  %-7s %s  %s (line %d)%n", f.severity(), f.rule().id(), f.path(), f.line());
        out.println("          " + f.message());
        if (f.fixable()) {
          out.println("          harden: " + f.hardenAction());
        }
        out.println("          fix: " + f.fix());
      }
      out.println();
    }
    for (LintNotice n : report.notices()) {
      out.println("note: " + n.subject() + " (" + n.file() + ":" + n.line() + "): " + n.message());
    }
    if (!report.notices().isEmpty()) {
      out.println();
    }
    Map<Severity, Long> counts = report.countBySeverity();
    long withFindings = report.objects().stream().filter(o -> !o.findings().isEmpty()).count();
    if (report.findingCount() == 0) {
      out.printf(
          "%d objects checked, no findings at or above %s (Kubernetes %s).%n",
          report.objects().size(), report.settings().minSeverity(), report.settings().caps());
    } else {
      out.printf(
          "%d objects checked, %d with findings: %d errors, %d warnings, %d info; "
              + "%d fixable with `saferollout harden` (Kubernetes %s).%n",
          report.objects().size(),
          withFindings,
          counts.get(Severity.ERROR),
          counts.get(Severity.WARNING),
          counts.get(Severity.INFO),
          report.fixableCount(),
          report.settings().caps());
    }
  }
}
