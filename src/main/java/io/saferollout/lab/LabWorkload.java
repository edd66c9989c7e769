package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.Adoption;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import java.time.Duration;

/**
 * The seed article's workload: a web Deployment with no readiness probe, no preStop hook and the
 * default rolling-update strategy, whose app answers 500 while it warms up and exits at once on
 * SIGTERM; the Service in front of it; and the SafeRollout that hardens it.
 *
 * @param replicas pods of the Deployment
 * @param listenDelay time until the app's listener opens
 * @param warmup time after that during which the app answers 500
 * @param preStopDelaySeconds the SafeRollout's preStop delay; must exceed the data plane's largest
 *     propagation delay, or a pod still gets traffic after SIGTERM
 * @param drainSeconds the SafeRollout's drain budget after SIGTERM
 * @param minReadySeconds the SafeRollout's minReadySeconds
 */
public record LabWorkload(String name, int replicas, Duration listenDelay, Duration warmup, int preStopDelaySeconds,
        int drainSeconds, int minReadySeconds) {

    public static final String IMAGE_REPOSITORY = "lab.saferollout.io/web";
    public static final String HEALTH_PATH = "/healthz";
    public static final int PORT = 8080;

    public LabWorkload {
        if (replicas < 1) {
            throw new IllegalArgumentException("the workload needs at least one replica, got " + replicas);
        }
        if (preStopDelaySeconds < 0 || drainSeconds < 0 || minReadySeconds < 0) {
            throw new IllegalArgumentException("preStop, drain and minReady seconds must not be negative");
        }
    }

    /**
     * 3 replicas, an app that refuses connections for 200 ms and answers 500 for 1.5 s after that
     * (the seed article's "new pod gets traffic before it can serve"); a 3 s preStop delay, which
     * is twice the lab's largest propagation delay (1.5 s, see {@link LabSettings}), so endpoint
     * removal reaches every proxy with 1.5 s to spare for a slow informer or a GC pause.
     */
    public static LabWorkload articleDefaults() {
        return new LabWorkload("web", 3, Duration.ofMillis(200), Duration.ofMillis(1_500), 3, 1, 1);
    }

    public LabWorkload withReplicas(int replicas) {
        return new LabWorkload(name, replicas, listenDelay, warmup, preStopDelaySeconds, drainSeconds, minReadySeconds);
    }

    public LabWorkload withWarmup(Duration warmup) {
        return new LabWorkload(name, replicas, listenDelay, warmup, preStopDelaySeconds, drainSeconds, minReadySeconds);
    }

    public LabWorkload withPreStopDelaySeconds(int seconds) {
        return new LabWorkload(name, replicas, listenDelay, warmup, seconds, drainSeconds, minReadySeconds);
    }

    /** The naive Deployment, version {@code v1} of its image. */
    public Deployment deployment(String namespace) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", name).endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate()
                        .withNewMetadata()
                            .addToLabels("app", name)
                            .addToAnnotations(AppAnnotations.LISTEN_DELAY_MS, Long.toString(listenDelay.toMillis()))
                            .addToAnnotations(AppAnnotations.WARMUP_MS, Long.toString(warmup.toMillis()))
                            .addToAnnotations(AppAnnotations.SHUTDOWN, "naive")
                            .addToAnnotations(AppAnnotations.SERVICE_TIME_MS, "5-20")
                            .addToAnnotations(AppAnnotations.HEALTH_PATH, HEALTH_PATH)
                        .endMetadata()
                        .withNewSpec()
                            .addToContainers(new ContainerBuilder()
                                    .withName("web")
                                    .withImage(IMAGE_REPOSITORY + ":v1")
                                    .addNewPort().withName("http").withContainerPort(PORT).endPort()
                                    .build())
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    public Service service(String namespace) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec()
                    .addToSelector("app", name)
                    .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec()
                .build();
    }

    /**
     * The SafeRollout for the Deployment: the readiness probe checks the app's health path every
     * second (a new pod is ready within a second of warming up); everything else the operator
     * decides from the delays.
     */
    public SafeRollout safeRollout(String namespace) {
        SafeRollout sr = new SafeRollout();
        sr.getMetadata().setName(name);
        sr.getMetadata().setNamespace(namespace);
        SafeRolloutSpec spec = new SafeRolloutSpec();
        spec.setTarget(TargetRef.byName(name));
        // The hardened run is set up by the operator's own rollout, before any traffic.
        spec.setAdoption(Adoption.Immediately);
        spec.getReadinessProbe().setPath(HEALTH_PATH);
        spec.getReadinessProbe().setPeriodSeconds(1);
        spec.getPreStop().setDelaySeconds(preStopDelaySeconds);
        spec.setDrainSeconds(drainSeconds);
        spec.getStrategy().setMinReadySeconds(minReadySeconds);
        sr.setSpec(spec);
        return sr;
    }
}
