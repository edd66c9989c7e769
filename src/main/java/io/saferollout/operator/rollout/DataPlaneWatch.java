package io.saferollout.operator.rollout;

import io.saferollout.api.DataPlaneReading;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.DataPlaneVisibility;
import io.saferollout.api.PreStopMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the data plane can be read, as one reconcile learns it: the status's last reading,
 * replaced by whatever this reconcile reads (at a rollout's start or end, or a probe).
 */
final class DataPlaneWatch {
  /** While the data plane cannot be read, Auto probes it again this often. */
  static final Duration RECHECK = Duration.ofMinutes(5);

  /** Problems named in the status message; the rest are counted, so 500 nodes fit. */
  static final int NAMED = 3;

  /** Longest text kept of one problem (an exception message can carry a whole page). */
  static final int PROBLEM_CHARS = 160;

  private final DataPlaneSource source;
  private final PreStopMode mode;
  private final DataPlaneReading previous;
  private final Instant now;
  private boolean readNow;
  private int nodesRead;
  private List<String> problems = new ArrayList<>();

  DataPlaneWatch(DataPlaneSource source, PreStopMode mode, DataPlaneReading previous, Instant now) {
    this.source = source;
    this.mode = mode;
    this.previous = previous;
    this.now = now;
  }

  /** One reading: how many nodes answered, and what failed on the others. */
  void read(int answered, List<String> failed) {
    readNow = true;
    nodesRead = Math.max(nodesRead, answered);
    if (failed.size() >= problems.size()) {
      problems = new ArrayList<>(failed);
    }
  }

  DataPlaneReading previous() {
    return previous;
  }

  /**
   * Auto reads the data plane once before its first rollout, so a blind data plane shows before a
   * rollout depends on it, and again every {@link #RECHECK} while it cannot be read, so the
   * condition clears once the user fixes it. Fixed mode reads it only with rollouts.
   */
  boolean dueForAProbe() {
    if (readNow || mode != PreStopMode.Auto || source == DataPlaneSource.None) {
      return false;
    }
    if (previous == null
        || previous.getVisibility() == null
        || previous.getVisibility() == DataPlaneVisibility.NoSource) {
      return true;
    }
    return previous.getVisibility() == DataPlaneVisibility.Unreadable
        && checkedBefore(now.minus(RECHECK));
  }

  /** What the status should show: this reconcile's reading, else the last one. */
  DataPlaneReading reading() {
    if (source == DataPlaneSource.None) {
      DataPlaneReading r = new DataPlaneReading();
      r.setVisibility(DataPlaneVisibility.NoSource);
      r.setMessage(
          "preStop.dataPlane.source is None: nothing measures the nodes, so Auto keeps preStop at"
              + " or above delaySeconds");
      return r;
    }
    if (!readNow) {
      return previous == null || previous.getVisibility() == DataPlaneVisibility.NoSource
          ? null
          : previous;
    }
    DataPlaneReading r = new DataPlaneReading();
    r.setCheckedAt(now.toString());
    r.setNodesRead(nodesRead);
    r.setNodesUnread(problems.size());
    if (problems.isEmpty() && nodesRead > 0) {
      r.setVisibility(DataPlaneVisibility.Readable);
      r.setMessage(
          source == DataPlaneSource.Prometheus
              ? "Prometheus answered the data-plane query"
              : "kube-proxy answered on all " + nodesRead + " node(s)");
    } else {
      r.setVisibility(DataPlaneVisibility.Unreadable);
      r.setMessage(
          problems.isEmpty()
              ? "no node to read kube-proxy's metrics from"
              : summary(problems)
                  + (source == DataPlaneSource.KubeProxyMetrics
                      ? " (kube-proxy serves its metrics on 127.0.0.1:10249 unless"
                          + " metricsBindAddress says otherwise; see docs/resource.md)"
                      : ""));
    }
    return r;
  }

  /** The first {@link #NAMED} problems, each cut to {@link #PROBLEM_CHARS}, and how many more. */
  static String summary(List<String> problems) {
    List<String> named =
        problems.stream()
            .limit(NAMED)
            .map(p -> p.length() > PROBLEM_CHARS ? p.substring(0, PROBLEM_CHARS) + "..." : p)
            .toList();
    String more =
        problems.size() > NAMED ? "; and " + (problems.size() - NAMED) + " more node(s)" : "";
    return String.join("; ", named) + more;
  }

  private boolean checkedBefore(Instant limit) {
    try {
      return previous.getCheckedAt() == null
          || Instant.parse(previous.getCheckedAt()).isBefore(limit);
    } catch (DateTimeParseException e) {
      return true;
    }
  }
}
