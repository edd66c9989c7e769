package io.saferollout.lab.scenario;

import java.time.Instant;
import java.util.List;

/**
 * When a step started and when it had completed, for timelines; and the pods it deleted on
 * purpose (a kill's victim, a drain's evictions), by IP, so tests can follow each one through
 * every node's endpoint changes.
 */
public record StepMark(String what, Instant startedAt, Instant completedAt, List<String> deletedPodIps) {

    public StepMark {
        deletedPodIps = List.copyOf(deletedPodIps);
    }

    public StepMark(String what, Instant startedAt, Instant completedAt) {
        this(what, startedAt, completedAt, List.of());
    }
}
