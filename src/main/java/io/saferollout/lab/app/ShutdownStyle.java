package io.saferollout.lab.app;

/** What a container process does when it receives SIGTERM. */
public enum ShutdownStyle {
    /**
     * Exits at once, as a process without a SIGTERM handler does: the listener and every open
     * connection close, so in-flight requests are cut and later connections are refused.
     */
    NAIVE,
    /**
     * Stops accepting connections, closes idle keep-alive connections, finishes the requests in
     * flight (answering them with {@code Connection: close}), then exits, bounded by a drain timeout.
     */
    GRACEFUL
}
