package io.saferollout.lab.report;

import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.StepMark;
import io.saferollout.load.FailureEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A self-contained HTML page (no scripts, no external files) with one SVG timeline per run: each
 * pod as a bar (starting, ready, terminating), each node's proxy with a tick where it started using
 * a new endpoint set, failed requests as red marks, and the scenario's steps as bands. Reading it
 * shows the article's two moments: failures where a new pod turns ready before it is warm, and
 * where an old pod exits while a node still routes to it. Pure: outcomes in, text out.
 */
public final class TimelineReport {

  private static final int WIDTH = 1100;
  private static final int LEFT = 190;
  private static final int ROW = 18;
  private static final int PLOT = WIDTH - LEFT - 20;

  private TimelineReport() {}

  public static String html(List<RunOutcome> outcomes) {
    StringBuilder b = new StringBuilder();
    b.append(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SafeRollout lab report</title>\n")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append(
            "table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
        .append(
            "svg{border:1px solid #ddd;margin:.5em 0 2em}text{font-size:11px}.legend span{margin-right:1.5em}</style>")
        .append("</head><body>\n<h1>SafeRollout lab report</h1>\n")
        .append(
            "<p>Each scenario's runs went at the same time in separate labs: usually the naive Deployment (no ")
        .append(
            "readiness probe, no preStop) and the same Deployment under a SafeRollout with its defaults. Traffic ")
        .append(
            "started before the SafeRollout was created: the operator's own adoption rollout is counted on its ")
        .append(
            "own, the rest after it. The app's shutdown style is the app's, not the operator's.</p>\n");
    b.append(
            "<table><tr><th>scenario</th><th>run</th><th>app on SIGTERM</th><th>adoption: failed / requests</th>")
        .append(
            "<th>adoption seconds</th><th>requests</th><th>failed</th><th>failures by class</th>")
        .append(
            "<th>latency p50 / p99 / max (ms)</th><th>rollouts</th><th>kills</th><th>rollout seconds</th></tr>\n");
    for (RunOutcome o : outcomes) {
      RunResult r = o.result();
      RunResult.Adoption a = r.adoption();
      b.append("<tr><td>")
          .append(esc(r.scenario()))
          .append("</td><td>")
          .append(runLabel(r))
          .append("</td><td>")
          .append(esc(r.app()))
          .append("</td><td>")
          .append(
              a == null
                  ? "-"
                  : a.failed()
                      + " / "
                      + a.requests()
                      + (a.failed() == 0 ? "" : " " + esc(a.failuresByClass().toString())))
          .append("</td><td>")
          .append(a == null ? "-" : String.format(Locale.ROOT, "%.1f", a.rolloutSeconds()))
          .append("</td><td>")
          .append(r.requests())
          .append("</td><td>")
          .append(r.failed())
          .append("</td><td>")
          .append(esc(r.failuresByClass().isEmpty() ? "none" : r.failuresByClass().toString()))
          .append("</td><td>")
          .append(
              String.format(
                  Locale.ROOT,
                  "%.1f / %.1f / %.1f",
                  r.latencyMs().p50(),
                  r.latencyMs().p99(),
                  r.latencyMs().max()))
          .append("</td><td>")
          .append(r.rollouts())
          .append("</td><td>")
          .append(r.kills())
          .append("</td><td>")
          .append(esc(r.rolloutSeconds().toString()))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
    removal(b, outcomes);
    b.append(
            "<h2>Each node's measured propagation delays</h2>\n<p>From the node hearing of an endpoint change to ")
        .append(
            "applying it, over the whole run (adoption included), next to the profile the node was given.</p>\n")
        .append(
            "<table><tr><th>scenario</th><th>run</th><th>node</th><th>data plane</th><th>configured profile</th>")
        .append("<th>changes</th><th>p50</th><th>p90</th><th>max</th></tr>\n");
    for (RunOutcome o : outcomes) {
      for (RunOutcome.NodeDelays n : o.nodes()) {
        List<Duration> sorted = n.measured().stream().sorted().toList();
        b.append("<tr class=\"node-delays\"><td>")
            .append(esc(o.result().scenario()))
            .append("</td><td>")
            .append(runLabel(o.result()))
            .append("</td><td>")
            .append(esc(n.node()))
            .append("</td><td>")
            .append(esc(n.kind()))
            .append("</td><td>")
            .append(esc(n.profile()))
            .append("</td><td>")
            .append(sorted.size())
            .append("</td><td>")
            .append(ms(sorted, 0.50))
            .append("</td><td>")
            .append(ms(sorted, 0.90))
            .append("</td><td>")
            .append(ms(sorted, 1.0))
            .append("</td></tr>\n");
      }
    }
    b.append(
            "</table>\n<p class=\"legend\"><span style=\"color:#9aa\">&#9632; pod starting / not ready</span>")
        .append(
            "<span style=\"color:#3a3\">&#9632; pod ready</span><span style=\"color:#e90\">&#9632; pod terminating</span>")
        .append(
            "<span style=\"color:#36c\">| node applied an endpoint change (label: endpoints it routes to)</span>")
        .append(
            "<span style=\"color:#d22\">| failed requests</span><span style=\"color:#bcd\">&#9632; scenario step</span></p>\n");
    for (RunOutcome o : outcomes) {
      b.append("<h2>")
          .append(esc(o.result().scenario()))
          .append(" &mdash; ")
          .append(runLabel(o.result()))
          .append(", app ")
          .append(esc(o.result().app()))
          .append(" on SIGTERM")
          .append("</h2>\n")
          .append(svg(o))
          .append('\n');
    }
    return b.append("</body></html>\n").toString();
  }

  /**
   * One line per hardened run: what the operator measured of endpoint removal, and the preStop it
   * led to.
   */
  private static void removal(StringBuilder b, List<RunOutcome> outcomes) {
    List<RunResult> hardened =
        outcomes.stream().map(RunOutcome::result).filter(r -> r.removal() != null).toList();
    if (hardened.isEmpty()) {
      return;
    }
    b.append(
            "<h2>Endpoint removal and preStop, as the operator measured them</h2>\n<p>From the SafeRollout's status ")
        .append(
            "when the run ended: a pod's deletion to its removal from the EndpointSlices (control plane) and to ")
        .append(
            "the nodes applying it (data plane, from kube-proxy's metric), over the tuning window, else the last ")
        .append(
            "rollout; the preStop delay new pods carry, and the one the measurements recommend.</p>\n")
        .append(
            "<table><tr><th>scenario</th><th>run</th><th>control plane p50 / p99 / max (ms)</th>")
        .append(
            "<th>data plane p50 / p99 / max (ms)</th><th>preStop now (s)</th><th>recommended (s)</th></tr>\n");
    for (RunResult r : hardened) {
      RunResult.Removal m = r.removal();
      b.append("<tr class=\"removal\"><td>")
          .append(esc(r.scenario()))
          .append("</td><td>")
          .append(runLabel(r))
          .append("</td><td>")
          .append(figures(m.endpointRemovalMs()))
          .append("</td><td>")
          .append(figures(m.dataPlaneMs()))
          .append("</td><td>")
          .append(orDash(m.preStopSeconds()))
          .append("</td><td>")
          .append(orDash(m.recommendedPreStopSeconds()))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static String figures(RunResult.Latency l) {
    return l == null
        ? "not measured"
        : String.format(Locale.ROOT, "%.0f / %.0f / %.0f", l.p50(), l.p99(), l.max());
  }

  private static String orDash(Integer seconds) {
    return seconds == null ? "-" : seconds.toString();
  }

  private static String runLabel(RunResult r) {
    return (r.hardened() ? "under SafeRollout" : "naive") + (r.control() ? " (control)" : "");
  }

  /** The q-quantile of sorted delays in milliseconds, "-" when there are none. */
  private static String ms(List<Duration> sorted, double q) {
    if (sorted.isEmpty()) {
      return "-";
    }
    int i = Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
    return sorted.get(i).toMillis() + " ms";
  }

  /** Width of one character of the step labels (the SVG's default sans-serif at 11 px), roughly. */
  private static final double LABEL_CHAR_WIDTH = 6.0;

  static String svg(RunOutcome o) {
    Instant from = o.measuredFrom();
    Instant to = o.measuredTo().isAfter(from) ? o.measuredTo() : from.plusSeconds(1);
    Scale x = new Scale(from, to);
    Map<String, List<LabEvent>> pods = podEvents(o.events(), from, to);
    Map<String, List<EndpointSetApplied>> nodes = new TreeMap<>();
    for (EndpointSetApplied e : o.endpoints()) {
      if (!e.appliedAt().isBefore(from) && !e.appliedAt().isAfter(to)) {
        nodes.computeIfAbsent(e.proxyName(), k -> new ArrayList<>()).add(e);
      }
    }
    int rows = pods.size() + nodes.size() + 1;
    int height = 30 + rows * ROW + 30;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
            WIDTH,
            height,
            WIDTH,
            height));
    double labelsEnd = 0;
    for (StepMark m : o.steps()) {
      double x1 = x.at(m.startedAt());
      double x2 = Math.max(x1 + 1, x.at(m.completedAt()));
      s.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"step\" x=\"%.1f\" y=\"20\" width=\"%.1f\" height=\"%d\" fill=\"#bcd\" opacity=\"0.35\"><title>%s</title></rect>%n",
              x1,
              x2 - x1,
              rows * ROW,
              esc(m.what())));
      // Steps close together would print over each other: the later one keeps only its
      // first words (the full text stays in the band's tooltip).
      String text = x1 < labelsEnd ? m.what().replaceFirst(" \\(.*\\)$", "") : m.what();
      double textX = Math.max(x1, labelsEnd);
      s.append(
          String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"14\">%s</text>%n", textX, esc(text)));
      labelsEnd = textX + text.length() * LABEL_CHAR_WIDTH + 6;
    }
    int y = 22;
    for (Map.Entry<String, List<LabEvent>> pod : pods.entrySet()) {
      s.append(label(y, pod.getKey()));
      podBar(s, x, y, pod.getValue(), from, to);
      y += ROW;
    }
    for (Map.Entry<String, List<EndpointSetApplied>> node : nodes.entrySet()) {
      s.append(label(y, "proxy " + node.getKey()));
      for (EndpointSetApplied e : node.getValue()) {
        double at = x.at(e.appliedAt());
        long lateMs = Duration.between(e.requestedAt(), e.appliedAt()).toMillis();
        s.append(
            String.format(
                Locale.ROOT,
                "<line class=\"endpoints\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#36c\" stroke-width=\"2\"><title>%d endpoint(s), applied %d ms after the change</title></line>"
                    + "<text x=\"%.1f\" y=\"%d\" fill=\"#36c\">%d</text>%n",
                at,
                at,
                y,
                y + ROW - 4,
                e.endpoints().size(),
                lateMs,
                at + 2,
                y + ROW - 6,
                e.endpoints().size()));
      }
      y += ROW;
    }
    s.append(label(y, "failed requests (" + o.result().failed() + ")"));
    // One mark per 100 ms with failures: thousands of individual marks would make the page heavy.
    Map<Long, Integer> bins = new TreeMap<>();
    for (FailureEvent f : o.load().failureEvents()) {
      if (f.at().isBefore(from)) {
        continue; // the adoption's failures: counted on their own line, not in this timeline
      }
      bins.merge(Duration.between(from, f.at()).toMillis() / 100, 1, Integer::sum);
    }
    for (Map.Entry<Long, Integer> bin : bins.entrySet()) {
      double at = x.at(from.plusMillis(bin.getKey() * 100));
      s.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"failure\" x=\"%.1f\" y=\"%d\" width=\"2\" height=\"%d\" fill=\"#d22\"><title>%d failed at +%.1f s</title></rect>%n",
              at,
              y,
              ROW - 4,
              bin.getValue(),
              bin.getKey() / 10.0));
    }
    y += ROW + 6;
    double seconds = Duration.between(from, to).toMillis() / 1000.0;
    for (int t = 0; t <= (int) seconds; t += Math.max(1, (int) Math.ceil(seconds / 20))) {
      double at = x.at(from.plusSeconds(t));
      s.append(
          String.format(
              Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#666\">%ds</text>%n", at, y + 10, t));
    }
    return s.append("</svg>").toString();
  }

  private static Map<String, List<LabEvent>> podEvents(
      List<LabEvent> events, Instant from, Instant to) {
    Map<String, List<LabEvent>> byPod = new LinkedHashMap<>();
    for (LabEvent e : events) {
      if (e.kind() != LabEvent.Kind.ENDPOINTS_CHANGED && e.name() != null) {
        byPod.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
      }
    }
    // Only pods alive at some point of the measured window.
    byPod
        .values()
        .removeIf(
            list ->
                list.get(0).at().isAfter(to)
                    || list.stream()
                        .anyMatch(
                            e -> e.kind() == LabEvent.Kind.POD_DELETED && e.at().isBefore(from)));
    return byPod;
  }

  private static void podBar(
      StringBuilder s, Scale x, int y, List<LabEvent> events, Instant from, Instant to) {
    Instant segmentStart = events.get(0).at();
    String colour = "#9aa";
    for (LabEvent e : events) {
      String next =
          switch (e.kind()) {
            case POD_READY -> "#3a3";
            case POD_UNREADY -> "#9aa";
            case POD_TERMINATING -> "#e90";
            case POD_DELETED -> null;
            default -> colour;
          };
      if (!e.at().equals(segmentStart) && (next == null || !next.equals(colour))) {
        segment(s, x, y, segmentStart, e.at(), colour, from, to);
        segmentStart = e.at();
      }
      if (next == null) {
        return;
      }
      colour = next;
    }
    segment(s, x, y, segmentStart, to, colour, from, to);
  }

  private static void segment(
      StringBuilder s,
      Scale x,
      int y,
      Instant a,
      Instant b,
      String colour,
      Instant from,
      Instant to) {
    Instant start = a.isBefore(from) ? from : a;
    Instant end = b.isAfter(to) ? to : b;
    if (!end.isAfter(start)) {
      return;
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<rect class=\"pod\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
            x.at(start),
            y,
            Math.max(1, x.at(end) - x.at(start)),
            ROW - 4,
            colour));
  }

  private static String label(int y, String text) {
    return String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>%n", y + ROW - 6, esc(text));
  }

  static String esc(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private record Scale(Instant from, Instant to) {
    double at(Instant t) {
      double span = Math.max(1, Duration.between(from, to).toMillis());
      double offset = Math.min(span, Math.max(0, Duration.between(from, t).toMillis()));
      return LEFT + PLOT * offset / span;
    }
  }
}
