package io.saferollout.load;

import java.util.Locale;

/**
 * Which kind of HTTP/1.1 client sends each request. Real traffic mixes both: browsers, service
 * meshes and most HTTP libraries keep connections open and reuse them (RFC 9112 section 9.3,
 * persistence is the HTTP/1.1 default), while scripts, health checkers and some SDKs open a
 * connection per request. The difference matters in a rollout: a node's kube-proxy balances per
 * connection, so a reused connection stays on its pod after the endpoint is removed, until the
 * app or the client closes it (https://kubernetes.io/docs/reference/networking/virtual-ips/).
 *
 * <p>The share is spread evenly and deterministically over the request sequence (request {@code i}
 * is a keep-alive one exactly when {@code floor((i+1)·p) > floor(i·p)}), so two runs of the same
 * plan send the same requests the same way, with no seed to choose.
 *
 * <p>HTTP/2 is not offered: the lab's pods speak HTTP/1.1 only (see {@code ContainerServer}), and a
 * client-only h2c mode would just fail against them or fall back to HTTP/1.1.
 *
 * @param keepAlivePercent share of requests, 0 to 100, sent on pooled keep-alive connections; the
 *     rest each open a new connection and send {@code Connection: close}
 */
public record ClientMix(int keepAlivePercent) {

    /** Half the requests on pooled keep-alive connections, half on a new connection each. */
    public static final ClientMix DEFAULT = new ClientMix(50);

    public ClientMix {
        if (keepAlivePercent < 0 || keepAlivePercent > 100) {
            throw new IllegalArgumentException(
                    "keep-alive share must be between 0 and 100 percent, got " + keepAlivePercent);
        }
    }

    public static ClientMix newConnectionPerRequest() {
        return new ClientMix(0);
    }

    public static ClientMix keepAliveOnly() {
        return new ClientMix(100);
    }

    /**
     * Reads {@code "50"} or {@code "50%"}: the keep-alive share in percent.
     *
     * @throws IllegalArgumentException naming the value when it is not a whole percentage
     */
    public static ClientMix parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        String digits = value.endsWith("%") ? value.substring(0, value.length() - 1).trim() : value;
        try {
            return new ClientMix(Integer.parseInt(digits));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("client mix '" + text
                    + "' must be the keep-alive share as a whole percentage, e.g. 50 or 50%", e);
        }
    }

    /** Whether request number {@code i} (from 0) goes on a keep-alive connection. */
    public boolean keepAlive(long i) {
        return Math.floorDiv((i + 1) * keepAlivePercent, 100) > Math.floorDiv(i * keepAlivePercent, 100);
    }

    /** For headers and reports: "50% keep-alive, 50% new connection per request". */
    @Override
    public String toString() {
        return keepAlivePercent + "% keep-alive, " + (100 - keepAlivePercent) + "% new connection per request";
    }
}
