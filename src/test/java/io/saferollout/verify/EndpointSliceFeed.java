package io.saferollout.verify;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.saferollout.lab.dataplane.ServiceProxy;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only kube-proxy: watches a Service's EndpointSlices and hands the ready endpoints to a
 * {@link ServiceProxy}, which applies them after its propagation delay.
 */
final class EndpointSliceFeed implements AutoCloseable {
  private final SharedIndexInformer<EndpointSlice> informer;
  private final ServiceProxy proxy;
  // Kept here rather than read from the informer's store: the first events arrive while inform() is
  // still running, before the informer field is assigned.
  private final Map<String, EndpointSlice> slices = new ConcurrentHashMap<>();

  EndpointSliceFeed(KubernetesClient client, String namespace, String service, ServiceProxy proxy) {
    this.proxy = proxy;
    this.informer =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(namespace)
            .withLabel("kubernetes.io/service-name", service)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(EndpointSlice slice) {
                    slices.put(slice.getMetadata().getName(), slice);
                    push();
                  }

                  @Override
                  public void onUpdate(EndpointSlice before, EndpointSlice after) {
                    slices.put(after.getMetadata().getName(), after);
                    push();
                  }

                  @Override
                  public void onDelete(EndpointSlice slice, boolean unknownFinalState) {
                    slices.remove(slice.getMetadata().getName());
                    push();
                  }
                });
  }

  private synchronized void push() {
    Set<InetSocketAddress> ready = new HashSet<>();
    for (EndpointSlice slice : slices.values()) {
      if (slice.getPorts() == null || slice.getPorts().isEmpty() || slice.getEndpoints() == null) {
        continue;
      }
      int port = slice.getPorts().get(0).getPort();
      for (Endpoint e : slice.getEndpoints()) {
        // An absent "ready" means ready (EndpointSlice API); terminating endpoints are never ready.
        boolean isReady =
            e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
        if (isReady && e.getAddresses() != null) {
          e.getAddresses().forEach(ip -> ready.add(new InetSocketAddress(ip, port)));
        }
      }
    }
    proxy.update(ready);
  }

  @Override
  public void close() {
    informer.close();
  }
}
