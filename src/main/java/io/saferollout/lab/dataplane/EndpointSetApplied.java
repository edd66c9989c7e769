package io.saferollout.lab.dataplane;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Set;

/**
 * A data plane started routing to a new endpoint set: for report timelines that show when each
 * node saw each change, next to when the change was made.
 *
 * @param requestedAt when the change was handed to the data plane (the EndpointSlice update)
 * @param appliedAt when the data plane started using it
 */
public record EndpointSetApplied(String proxyName, Set<InetSocketAddress> endpoints, Instant requestedAt,
        Instant appliedAt) {
}
