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
    private SharedIndexInformer<EndpointSlice> informer;
    private Set<InetSocketAddress> lastHandedOut;

    private DataPlane() {
    }

    /**
     * Starts the proxies, then the informer.
     *
     * @throws IllegalStateException when a proxy cannot listen (address not local, port in use)
     */
    public static DataPlane start(Vertx vertx, KubernetesClient client, String namespace, String service,
            List<ProxySettings> settings, Consumer<EndpointSetApplied> onApplied) {
        DataPlane plane = new DataPlane();
        try {
            for (ProxySettings s : settings) {
                ServiceProxy proxy = ServiceProxy.start(vertx, s);
                proxy.onEndpointsApplied(onApplied);
                plane.proxies.add(proxy);
            }
            plane.informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
                    .withLabel(SERVICE_NAME_LABEL, service)
                    .runnableInformer(0);
            plane.informer.addEventHandler(plane.handler());
            plane.informer.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            plane.close();
            throw e;
        } catch (Exception e) {
            plane.close();
            throw new IllegalStateException("the data plane could not watch EndpointSlices: " + e, e);
        }
        return plane;
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
