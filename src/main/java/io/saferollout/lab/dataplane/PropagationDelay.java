package io.saferollout.lab.dataplane;

import java.time.Duration;
import java.util.Random;

/**
 * How long an endpoint change takes to reach one data plane: a constant part plus a uniform
 * random part. Endpoint removal reaches kube-proxy, ingress controllers and meshes asynchronously,
 * while the pod is already terminating
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination), and each
 * node's data plane sees it at a slightly different time.
 */
public record PropagationDelay(Duration base, Duration jitter) {

    public static final PropagationDelay NONE = new PropagationDelay(Duration.ZERO, Duration.ZERO);

    public PropagationDelay {
        if (base == null || base.isNegative() || jitter == null || jitter.isNegative()) {
            throw new IllegalArgumentException(
                    "propagation delay and jitter must be zero or positive, got " + base + " and " + jitter);
        }
    }

    public static PropagationDelay of(Duration base, Duration jitter) {
        return new PropagationDelay(base, jitter);
    }

    /** A draw in {@code [base, base + jitter]}. */
    public Duration sample(Random random) {
        long spread = jitter.toNanos();
        return spread == 0 ? base : base.plusNanos((long) (random.nextDouble() * (spread + 1)));
    }
}
