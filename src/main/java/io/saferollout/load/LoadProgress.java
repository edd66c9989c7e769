package io.saferollout.load;

import java.time.Duration;

/** A snapshot taken while a run is going, for a live progress line. */
public record LoadProgress(
    Duration elapsed, long requests, long succeeded, long failed, long inFlight) {}
