package io.saferollout.lab.dataplane;

import java.time.Duration;

/**
 * One node's Service proxy.
 *
 * @param name names the proxy (or node) in timelines and logs
 * @param host the loopback address to listen on
 * @param port 0 picks a free port
 * @param propagationDelay how late endpoint changes reach this proxy
 * @param seed for the propagation jitter, so a lab run can be replayed
 * @param upstreamTimeout after which a silent upstream gets 504
 */
public record ProxySettings(String name, String host, int port, PropagationDelay propagationDelay, long seed,
        Duration upstreamTimeout) {

    public ProxySettings {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a proxy needs a name");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("proxy " + name + " needs a host to listen on");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("proxy " + name + ": port must be 0-65535, got " + port);
        }
        if (propagationDelay == null) {
            throw new IllegalArgumentException("proxy " + name + " needs a propagation delay (PropagationDelay.NONE for none)");
        }
        if (upstreamTimeout == null || upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
            throw new IllegalArgumentException("proxy " + name + ": upstream timeout must be positive, got " + upstreamTimeout);
        }
    }

    /** No propagation delay, seed 1, 30 s upstream timeout. */
    public static ProxySettings of(String name, String host, int port) {
        return new ProxySettings(name, host, port, PropagationDelay.NONE, 1, Duration.ofSeconds(30));
    }

    public ProxySettings withPropagationDelay(PropagationDelay delay, long seed) {
        return new ProxySettings(name, host, port, delay, seed, upstreamTimeout);
    }

    public ProxySettings withUpstreamTimeout(Duration timeout) {
        return new ProxySettings(name, host, port, propagationDelay, seed, timeout);
    }
}
