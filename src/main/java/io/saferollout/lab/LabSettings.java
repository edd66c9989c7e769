package io.saferollout.lab;

import io.saferollout.lab.cluster.SimulatedVersion;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Random;

/**
 * One lab's shape: the Kubernetes version it pretends to be, how many nodes' proxies carry the
 * Service and how late endpoint changes reach them, where those proxies listen, and the seed.
 *
 * @param proxies simulated nodes, each with its own Service proxy
 * @param minPropagation the smallest propagation delay a node may get
 * @param maxPropagation the largest: a node's delay is base + jitter, never above this
 * @param proxyHost loopback address the proxies listen on
 * @param firstProxyPort 0 for free ports, else proxies listen on this port and the next ones
 * @param podNetwork pods get addresses in 127.{podNetwork}.0.0/16
 */
public record LabSettings(String serverVersion, int proxies, Duration minPropagation, Duration maxPropagation,
        String proxyHost, int firstProxyPort, int podNetwork, long seed) {

    public LabSettings {
        SimulatedVersion.parse(serverVersion);
        if (proxies < 1) {
            throw new IllegalArgumentException("the lab needs at least one proxy, got " + proxies);
        }
        if (minPropagation.isNegative() || maxPropagation.compareTo(minPropagation) < 0) {
            throw new IllegalArgumentException("propagation delays must satisfy 0 <= min <= max, got "
                    + minPropagation + " and " + maxPropagation);
        }
        if (firstProxyPort < 0 || firstProxyPort + proxies - 1 > 65_535) {
            throw new IllegalArgumentException("proxy ports " + firstProxyPort + ".." + (firstProxyPort + proxies - 1)
                    + " are outside 0-65535");
        }
        requireLoopback(proxyHost);
    }

    /**
     * Kubernetes 1.33, three nodes whose proxies learn endpoint changes 0.3 to 1.5 s late, as
     * kube-proxy, ingress controllers and meshes do on a busy cluster.
     */
    public static LabSettings defaults() {
        return new LabSettings("1.33", 3, Duration.ofMillis(300), Duration.ofMillis(1_500), "127.0.0.1", 0, 1, 1);
    }

    public LabSettings withServerVersion(String version) {
        return new LabSettings(version, proxies, minPropagation, maxPropagation, proxyHost, firstProxyPort, podNetwork, seed);
    }

    public LabSettings withProxyAddress(String host, int firstPort) {
        return new LabSettings(serverVersion, proxies, minPropagation, maxPropagation, host, firstPort, podNetwork, seed);
    }

    public LabSettings withPodNetwork(int secondOctet) {
        return new LabSettings(serverVersion, proxies, minPropagation, maxPropagation, proxyHost, firstProxyPort, secondOctet, seed);
    }

    public LabSettings withSeed(long seed) {
        return new LabSettings(serverVersion, proxies, minPropagation, maxPropagation, proxyHost, firstProxyPort, podNetwork, seed);
    }

    public LabSettings withPropagation(Duration min, Duration max) {
        return new LabSettings(serverVersion, proxies, min, max, proxyHost, firstProxyPort, podNetwork, seed);
    }

    /**
     * Node {@code i}'s delay: a seeded base in [min, max] and a jitter that keeps base + jitter
     * within max, so the largest delay any change can take is exactly {@link #maxPropagation()}.
     */
    public io.saferollout.lab.dataplane.PropagationDelay propagationOf(int node) {
        Random random = new Random(seed * 31 + node);
        long span = maxPropagation.toMillis() - minPropagation.toMillis();
        long base = minPropagation.toMillis() + (span == 0 ? 0 : (long) (random.nextDouble() * span * 0.7));
        long jitter = maxPropagation.toMillis() - base;
        return io.saferollout.lab.dataplane.PropagationDelay.of(Duration.ofMillis(base), Duration.ofMillis(jitter));
    }

    private static void requireLoopback(String host) {
        boolean loopback;
        try {
            // IPv4 only: the proxies' URLs are built as http://host:port/, and pods live in 127.0.0.0/8 anyway.
            InetAddress address = host == null ? null : InetAddress.getByName(host);
            loopback = address instanceof java.net.Inet4Address && address.isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalArgumentException("proxy address '" + host
                    + "' is not an IPv4 loopback address (127.0.0.0/8): the lab never listens on other interfaces");
        }
    }
}
