package io.saferollout.lab.scenario;

import java.time.Instant;

/** When a step started and when it had completed, for timelines. */
public record StepMark(String what, Instant startedAt, Instant completedAt) {
}
