package io.saferollout.lab.scenario;

/** A snapshot of a run in progress, for a live progress line. */
public record RunProgress(Scenario scenario, boolean hardened, String phase, long requests, long failed) {
}
