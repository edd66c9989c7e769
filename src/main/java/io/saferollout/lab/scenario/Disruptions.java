package io.saferollout.lab.scenario;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The writes a scenario makes to the lab's API, as a user or a chaos tool would make them to a
 * cluster: edit the Deployment, or delete a pod (which goes through graceful termination).
 */
final class Disruptions {

    /** The annotation {@code kubectl rollout restart} sets on the pod template. */
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private final KubernetesClient client;
    private final String namespace;
    private final String deployment;
    private final Random random;
    private int imageVersion = 1;

    Disruptions(KubernetesClient client, String namespace, String deployment, long seed) {
        this.client = client;
        this.namespace = namespace;
        this.deployment = deployment;
        this.random = new Random(seed);
    }

    Deployment current() {
        return client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    }

    List<Pod> pods() {
        Deployment d = current();
        return client.pods().inNamespace(namespace).withLabels(d.getSpec().getSelector().getMatchLabels())
                .list().getItems();
    }

    /** A new image tag for the (first) container: the template changes, so pods roll. */
    void changeImage() {
        imageVersion++;
        edit(d -> {
            var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            String image = container.getImage();
            int colon = image.lastIndexOf(':');
            container.setImage((colon < 0 ? image : image.substring(0, colon)) + ":v" + imageVersion);
            return d;
        });
    }

    void restart() {
        edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editMetadata()
                .addToAnnotations(RESTARTED_AT, Instant.now().toString())
                .endMetadata().endTemplate().endSpec().build());
    }

    void scaleTo(int replicas) {
        edit(d -> {
            d.getSpec().setReplicas(replicas);
            return d;
        });
    }

    /** Deletes one pod that is not already terminating, chosen with the seeded random; the name, if any. */
    Optional<String> killOne() {
        List<Pod> candidates = pods().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Pod victim = candidates.get(random.nextInt(candidates.size()));
        client.pods().inNamespace(namespace).resource(victim).delete();
        return Optional.of(victim.getMetadata().getName());
    }

    long pauseMillis(long maxMillis) {
        return maxMillis <= 0 ? 0 : maxMillis / 2 + (long) (random.nextDouble() * (maxMillis / 2));
    }

    private void edit(java.util.function.UnaryOperator<Deployment> change) {
        client.apps().deployments().inNamespace(namespace).withName(deployment).edit(change);
    }
}
