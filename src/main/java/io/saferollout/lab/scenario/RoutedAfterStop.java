package io.saferollout.lab.scenario;

import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The physics of a pod deleted under traffic, from what the lab recorded. A pod that stops
 * accepting connections at SIGTERM (the kubelet sends it right after the preStop hook) loses every
 * new connection a node still routes to it: from SIGTERM until that node applies the endpoint
 * change that drops the pod. With new-connection clients spread evenly over N nodes at R requests
 * per second, and each node picking one of P endpoints at random per connection, the expected loss
 * is
 *
 * <pre>
 *   expected = sum over deleted pods, over nodes n of  (R / N) * (1 / P) * max(0, removedAt(n) - sigtermAt)
 * </pre>
 *
 * that is R/P times the mean (over nodes) time the dying pod stays routed after it stopped serving,
 * per deleted pod. The times are the run's own records: the SIGTERM event of the pod and each
 * node's applied endpoint sets, so whatever delays the nodes drew are the ones counted. Pure.
 */
public final class RoutedAfterStop {

  /**
   * One deleted pod on one node: how long the node still routed new connections to it after
   * SIGTERM.
   */
  public record Exposure(String pod, String node, Duration routedAfterStop) {}

  private RoutedAfterStop() {}

  /** Every deleted pod's exposure on every node of the run. */
  public static List<Exposure> of(RunOutcome outcome) {
    List<Exposure> exposures = new ArrayList<>();
    for (StepMark step : outcome.steps()) {
      for (StepMark.DeletedPod pod : step.deletedPods()) {
        Instant stop =
            stopOf(outcome.events(), pod.name(), step.startedAt())
                .orElseThrow(
                    () ->
                        new IllegalStateException("pod " + pod.name() + " was never sent SIGTERM"));
        for (RunOutcome.NodeDelays node : outcome.nodes()) {
          Instant removed =
              removedAt(outcome.endpoints(), node.node(), pod.ip(), step.startedAt())
                  .orElse(outcome.measuredTo());
          Duration routed = Duration.between(stop, removed);
          exposures.add(
              new Exposure(pod.name(), node.node(), routed.isNegative() ? Duration.ZERO : routed));
        }
      }
    }
    return exposures;
  }

  /**
   * The formula above for a run at {@code ratePerSecond} over {@code nodes} nodes and {@code
   * replicas} endpoints.
   */
  public static double expectedLosses(
      List<Exposure> exposures, double ratePerSecond, int nodes, int replicas) {
    double perConnectionShare = ratePerSecond / nodes / replicas;
    return exposures.stream()
        .mapToDouble(e -> perConnectionShare * e.routedAfterStop().toNanos() / 1e9)
        .sum();
  }

  /** When the kubelet sent the pod SIGTERM (after its preStop hook), at or after the step began. */
  static Optional<Instant> stopOf(List<LabEvent> events, String pod, Instant from) {
    return events.stream()
        .filter(
            e ->
                e.kind() == LabEvent.Kind.SIGTERM_SENT
                    && pod.equals(e.name())
                    && !e.at().isBefore(from))
        .map(LabEvent::at)
        .min(Comparator.naturalOrder());
  }

  /** When {@code node} first applied an endpoint set without the pod, after {@code from}. */
  static Optional<Instant> removedAt(
      List<EndpointSetApplied> applied, String node, String ip, Instant from) {
    return applied.stream()
        .filter(a -> a.proxyName().equals(node) && !a.appliedAt().isBefore(from))
        .filter(a -> a.endpoints().stream().noneMatch(e -> is(e, ip)))
        .map(EndpointSetApplied::appliedAt)
        .min(Comparator.naturalOrder());
  }

  private static boolean is(InetSocketAddress endpoint, String ip) {
    return endpoint.getPort() == LabWorkload.PORT && endpoint.getHostString().equals(ip);
  }
}
