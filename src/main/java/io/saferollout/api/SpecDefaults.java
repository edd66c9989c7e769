package io.saferollout.api;

/**
 * Every default and bound of a SafeRollout spec, in one place. The CRD's {@code default} and {@code
 * minimum}/{@code maximum} are generated from these constants (so the API server fills in the same
 * values), the operator's spec parser fills a missing field from them (a cluster may run an older
 * CRD that defaults nothing), and the CLI's options start from them.
 */
public final class SpecDefaults {
  public static final Mode MODE = Mode.FillMissing;
  public static final OnDelete ON_DELETE = OnDelete.Keep;
  public static final Adoption ADOPTION = Adoption.NextRollout;
  public static final SidecarMode SIDECARS = SidecarMode.Auto;

  public static final PreStopMode PRE_STOP_MODE = PreStopMode.Fixed;
  public static final int PRE_STOP_DELAY_SECONDS = 15;

  /** Auto: measured removal p99 x factor + margin, within [min, max]. */
  public static final double PRE_STOP_FACTOR = 1.5;

  public static final double PRE_STOP_MAX_FACTOR = 10;
  public static final int PRE_STOP_MARGIN_SECONDS = 1;
  public static final int PRE_STOP_MIN_SECONDS = 1;
  public static final int PRE_STOP_MAX_SECONDS = 120;
  public static final TuningApplication PRE_STOP_APPLY_TUNING = TuningApplication.WithNextRollout;
  public static final DataPlaneSource DATA_PLANE_SOURCE = DataPlaneSource.KubeProxyMetrics;

  /** kube-proxy's metrics endpoint: --metrics-bind-address defaults to port 10249. */
  public static final String DATA_PLANE_METRICS_URL_TEMPLATE = "http://{nodeIP}:10249/metrics";

  public static final String DATA_PLANE_QUERY =
      "histogram_quantile(0.99, sum(rate(kubeproxy_network_programming_duration_seconds_bucket[15m])) by (le))";
  public static final int DRAIN_SECONDS = 10;

  /**
   * preStop and drain each stay below five minutes: node drains and cluster upgrades wait on them.
   */
  public static final int MAX_SHUTDOWN_PART_SECONDS = 300;

  public static final String MAX_SURGE = "25%";
  public static final int MIN_READY_SECONDS = 5;
  public static final int MAX_MIN_READY_SECONDS = 3600;

  public static final String PROBE_SCHEME = "HTTP";
  public static final int PROBE_INITIAL_DELAY_SECONDS = 0;
  public static final int PROBE_PERIOD_SECONDS = 5;
  public static final int PROBE_TIMEOUT_SECONDS = 1;
  public static final int PROBE_SUCCESS_THRESHOLD = 1;
  public static final int PROBE_FAILURE_THRESHOLD = 3;
  public static final int PROBE_MAX_INITIAL_DELAY_SECONDS = 3600;
  public static final int PROBE_MAX_SECONDS = 300;
  public static final int PROBE_MAX_THRESHOLD = 100;

  private SpecDefaults() {}
}
