package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The conditions a SafeRollout carries: Ready, Progressing and Degraded always, DataPlaneMeasured
 * once the data plane has been read. lastTransitionTime moves only when a condition's status flips
 * (the Kubernetes API conventions), so a steady state writes nothing new.
 */
final class StatusConditions {
  enum Type {
    Ready,
    Progressing,
    Degraded,
    /** Only while preStop tuning has read (or been told not to read) the data plane. */
    DataPlaneMeasured
  }

  private final List<Condition> previous;
  private final long generation;
  private final Instant now;
  private final List<Condition> next = new ArrayList<>();

  StatusConditions(List<Condition> previous, Long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation == null ? 0 : generation;
    this.now = now;
  }

  StatusConditions set(Type type, boolean status, ConditionReason reason, String message) {
    String s = status ? "True" : "False";
    String since =
        previous.stream()
            .filter(c -> type.name().equals(c.getType()) && s.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(now.toString());
    next.removeIf(c -> type.name().equals(c.getType()));
    next.add(
        new ConditionBuilder()
            .withType(type.name())
            .withStatus(s)
            .withReason(reason.name())
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build());
    return this;
  }

  /** Keeps a condition as it was (when a reconcile learned nothing new about it). */
  StatusConditions keep(Condition c) {
    next.removeIf(n -> n.getType().equals(c.getType()));
    next.add(c);
    return this;
  }

  List<Condition> build() {
    return List.copyOf(next);
  }
}
