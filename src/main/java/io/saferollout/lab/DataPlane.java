package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.lab.dataplane.ServiceProxy;
import io.saferollout.lab.dataplane.ProxySettings;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's kube-proxies: one {@link ServiceProxy} per simulated node, all fed from one informer on
 * the Service's EndpointSlices. Each proxy applies a change after its own propagation delay, so
 * nodes disagree for a while about which pods are in the Service, as they do on a cluster.
 */
public final class DataPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final List<ServiceProxy> proxies = new ArrayList<>();
    private volatile SharedIndexInformer<EndpointSlice> informer;
    private Set<InetSocketAddress> lastHandedOut;

    private DataPlane() {
    }

    /**
     * Starts the nodes' proxies; they answer 503 until {@link #follow} gives them endpoints.
     *
     * @throws IllegalStateException when a proxy cannot listen (address not local, port in use)
     */
    public static DataPlane start(Vertx vertx, List<ProxySettings> settings, Consumer<EndpointSetApplied> onApplied) {
        DataPlane plane = new DataPlane();
        try {
            for (ProxySettings s : settings) {
                ServiceProxy proxy = ServiceProxy.start(vertx, s);
                proxy.onEndpointsApplied(onApplied);
                plane.proxies.add(proxy);
            }
        } catch (RuntimeException e) {
            plane.close();
            throw e;
        }
        return plane;
    }

    /** Feeds every proxy from the Service's EndpointSlices from now on; once only. */
    public void follow(KubernetesClient client, String namespace, String service) {
        SharedIndexInformer<EndpointSlice> created;
        synchronized (this) {
            if (informer != null) {
                throw new IllegalStateException("the data plane already follows a Service");
            }
            created = client.discovery().v1().endpointSlices().inNamespace(namespace)
                    .withLabel(SERVICE_NAME_LABEL, service)
                    .runnableInformer(0);
            created.addEventHandler(handler());
            informer = created;
        }
        // Not under the lock: the first events may be handled (in changed()) while start() waits.
        try {
            created.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting to watch EndpointSlices", e);
        } catch (Exception e) {
            throw new IllegalStateException("the data plane could not watch EndpointSlices: " + e, e);
        }
    }

    public List<ServiceProxy> proxies() {
        return List.copyOf(proxies);
    }

    /** Where clients send: one URL per node, as a NodePort or an external load balancer would spread them. */
    public List<URI> urls() {
        return proxies.stream().map(ServiceProxy::url).toList();
    }

    /**
     * Whether every node routes to the same non-empty endpoint set the EndpointSlices give now:
     * measuring before this would count a node that has not yet heard of the pods at all.
     */
    public synchronized boolean converged() {
        Set<InetSocketAddress> current = lastHandedOut;
        return current != null && !current.isEmpty()
                && proxies.stream().allMatch(p -> p.knownEndpoints().equals(current));
    }

    private ResourceEventHandler<EndpointSlice> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice slice) {
                changed();
            }

            @Override
            public void onUpdate(EndpointSlice before, EndpointSlice after) {
                changed();
            }

            @Override
            public void onDelete(EndpointSlice slice, boolean unknownFinalState) {
                changed();
            }
        };
    }

    /** Called on the informer's single event thread, so updates reach the proxies in order. */
    private synchronized void changed() {
        Set<InetSocketAddress> routable = RoutableEndpoints.of(informer.getStore().list());
        if (routable.equals(lastHandedOut)) {
            return;
        }
        lastHandedOut = routable;
        LOG.debug("endpoints now {}", routable);
        proxies.forEach(p -> p.update(routable));
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        proxies.forEach(ServiceProxy::close);
    }
}
