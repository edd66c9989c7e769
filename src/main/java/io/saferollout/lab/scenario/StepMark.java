package io.saferollout.lab.scenario;

import java.time.Instant;
import java.util.List;

/**
 * When a step started and when it had completed, for timelines; and the pods it deleted on purpose
 * (a kill's victim, a drain's evictions), so tests can follow each one through its events and every
 * node's endpoint changes.
 */
public record StepMark(
    String what, Instant startedAt, Instant completedAt, List<DeletedPod> deletedPods) {

  public StepMark {
    deletedPods = List.copyOf(deletedPods);
  }

  /** A pod the step deleted or evicted, by name and IP. */
  public record DeletedPod(String name, String ip) {
    static DeletedPod of(io.fabric8.kubernetes.api.model.Pod pod) {
      return new DeletedPod(pod.getMetadata().getName(), pod.getStatus().getPodIP());
    }
  }

  public StepMark(String what, Instant startedAt, Instant completedAt) {
    this(what, startedAt, completedAt, List.of());
  }
}
