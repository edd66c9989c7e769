package io.saferollout.lab.app;

/**
 * Requests a container answered, not counting its readiness endpoint.
 *
 * @param served answered with 2xx
 * @param failed answered with any other status
 * @param aborted accepted but cut off when the process exited before answering
 * @param inFlight accepted and not yet answered, readiness probes included
 */
public record ContainerCounters(long served, long failed, long aborted, int inFlight) {}
