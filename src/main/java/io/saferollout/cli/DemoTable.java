package io.saferollout.cli;

import io.saferollout.lab.scenario.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The table that ends {@code saferollout demo}: one line per run, the runs of a scenario together.
 * The adoption rollout (the operator's first change to the live Deployment) has its own column,
 * next to, never inside, the figures after it. Pure.
 */
final class DemoTable {

  private static final String[] HEADER = {
    "scenario",
    "run",
    "app on SIGTERM",
    "adoption: failed / requests",
    "failed / requests",
    "failures by class",
    "latency p50/p99/max",
    "removal p99 cp/dp",
    "preStop now/recommended",
    "rollout time"
  };

  private DemoTable() {}

  /**
   * @param runs every run, in order
   */
  static String render(List<RunResult> runs) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (RunResult r : runs) {
      rows.add(
          new String[] {
            r.scenario(),
            (r.hardened() ? "hardened" : "naive") + (r.control() ? " (control)" : ""),
            r.app(),
            adoption(r.adoption()),
            r.failed() + " / " + r.requests(),
            byClass(r.failuresByClass()),
            latency(r.latencyMs()),
            removalP99(r.removal()),
            preStop(r.removal()),
            rolloutTime(r)
          });
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      out.append(line(rows.get(r), widths)).append('\n');
      if (r == 0) {
        String[] rule = new String[widths.length];
        for (int i = 0; i < widths.length; i++) {
          rule[i] = "-".repeat(widths[i]);
        }
        out.append(line(rule, widths)).append('\n');
      }
    }
    return out.toString();
  }

  /** "12 / 3400 (reset 12) in 41.0 s", or "-" for a run without adoption (naive). */
  static String adoption(RunResult.Adoption a) {
    if (a == null) {
      return "-";
    }
    return a.failed()
        + " / "
        + a.requests()
        + (a.failed() == 0 ? "" : " (" + byClass(a.failuresByClass()) + ")")
        + String.format(Locale.ROOT, " in %.1f s", a.rolloutSeconds());
  }

  static String latency(RunResult.Latency l) {
    return String.format(Locale.ROOT, "%.0f/%.0f/%.0f ms", l.p50(), l.p99(), l.max());
  }

  /**
   * Endpoint removal p99 on the control plane (EndpointSlices) and on the data plane (nodes), as
   * the operator measured it: "840/1900 ms"; "-" for a figure not measured, or a naive run.
   */
  static String removalP99(RunResult.Removal r) {
    if (r == null) {
      return "-";
    }
    return p99(r.endpointRemovalMs()) + "/" + p99(r.dataPlaneMs()) + " ms";
  }

  /** The preStop delay new pods carry and the one the measurements recommend: "15/4 s". */
  static String preStop(RunResult.Removal r) {
    if (r == null) {
      return "-";
    }
    return orDash(r.preStopSeconds()) + "/" + orDash(r.recommendedPreStopSeconds()) + " s";
  }

  private static String p99(RunResult.Latency l) {
    return l == null ? "-" : String.format(Locale.ROOT, "%.0f", l.p99());
  }

  private static String orDash(Integer seconds) {
    return seconds == null ? "-" : seconds.toString();
  }

  static String byClass(Map<String, Long> failures) {
    if (failures.isEmpty()) {
      return "none";
    }
    return failures.entrySet().stream()
        .map(e -> describe(e.getKey()) + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /**
   * HTTP codes read better with their meaning in a rollout; transport failures keep their class
   * name.
   */
  private static String describe(String failureClass) {
    return switch (failureClass) {
      case "500" -> "500 (warming up)";
      case "502" -> "502 (refused/reset)";
      case "503" -> "503 (no endpoint)";
      case "504" -> "504 (timeout)";
      default -> failureClass;
    };
  }

  /** The median rollout, or "-" for a run without rollouts (kills only). */
  static String rolloutTime(RunResult r) {
    if (r.rolloutSeconds().isEmpty()) {
      return "-";
    }
    List<Double> sorted = r.rolloutSeconds().stream().sorted().toList();
    double median = sorted.get((sorted.size() - 1) / 2);
    return String.format(Locale.ROOT, "%.1f s", median);
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        b.append(" | ");
      }
      b.append(i == cells.length - 1 ? cells[i] : String.format("%-" + widths[i] + "s", cells[i]));
    }
    return b.toString().stripTrailing();
  }
}
