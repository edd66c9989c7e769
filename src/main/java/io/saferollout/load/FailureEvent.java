package io.saferollout.load;

import java.net.URI;
import java.time.Instant;

/**
 * One failed request, for timelines: when its outcome was known, how it failed, and where it went.
 */
public record FailureEvent(Instant at, String failureClass, URI target) {}
