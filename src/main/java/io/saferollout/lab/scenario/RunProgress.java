package io.saferollout.lab.scenario;

/** A snapshot of a run in progress, for a live progress line. */
public record RunProgress(Scenario scenario, Arm arm, String phase, long requests, long failed) {}
