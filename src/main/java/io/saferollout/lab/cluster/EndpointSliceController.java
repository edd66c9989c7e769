package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The EndpointSlice controller: keeps each selector Service's EndpointSlices equal to {@link
 * DesiredEndpointSlices}, writing only when something changed. See
 * https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/
 */
final class EndpointSliceController implements AutoCloseable {

  private final KubernetesClient client;
  private final SharedInformers informers;
  private final LabEvents events;
  private final WorkQueue queue;
  private final EndpointTriggerTimes triggerTimes = new EndpointTriggerTimes();
  private final EndpointSliceTracker ownWrites = new EndpointSliceTracker();

  EndpointSliceController(KubernetesClient client, SharedInformers informers, LabEvents events) {
    this.client = client;
    this.informers = informers;
    this.events = events;
    this.queue = new WorkQueue("endpointslice-controller", this::sync);
  }

  void start() {
    informers.services.addEventHandler(
        SharedInformers.enqueueKey(queue, s -> Optional.of(SharedInformers.key(s))));
    informers.pods.addEventHandler(SharedInformers.onAnyChange(this::enqueueServicesOf));
    informers.endpointSlices.addEventHandler(
        SharedInformers.enqueueKey(
            queue,
            slice ->
                Optional.ofNullable(
                        slice
                            .getMetadata()
                            .getLabels()
                            .get(DesiredEndpointSlices.SERVICE_NAME_LABEL))
                    .map(name -> SharedInformers.key(slice.getMetadata().getNamespace(), name))));
  }

  private void enqueueServicesOf(Pod pod) {
    for (Service service : informers.services.getStore().list()) {
      if (Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
          && selects(service, pod)) {
        queue.add(SharedInformers.key(service));
      }
    }
  }

  private static boolean selects(Service service, Pod pod) {
    Map<String, String> selector =
        service.getSpec() == null ? null : service.getSpec().getSelector();
    return selector != null
        && !selector.isEmpty()
        && pod.getMetadata().getLabels().entrySet().containsAll(selector.entrySet());
  }

  private void sync(String key) {
    Service service = informers.services.getStore().getByKey(key);
    String namespace = key.substring(0, key.indexOf('/'));
    String serviceName = key.substring(key.indexOf('/') + 1);
    List<EndpointSlice> existing =
        informers.endpointSlices.getStore().list().stream()
            .filter(
                s ->
                    namespace.equals(s.getMetadata().getNamespace())
                        && serviceName.equals(
                            s.getMetadata()
                                .getLabels()
                                .get(DesiredEndpointSlices.SERVICE_NAME_LABEL))
                        && DesiredEndpointSlices.MANAGED_BY.equals(
                            s.getMetadata()
                                .getLabels()
                                .get(DesiredEndpointSlices.MANAGED_BY_LABEL)))
            .toList();
    // As syncService does, before the trigger-time tracker records this sync: a retry after a
    // write that failed against a stale cache would otherwise find no trigger moved, and the
    // write that lists a new pod would carry no trigger time. The slice event that brings the
    // cache up to date enqueues the Service again; the error's retry is the fallback.
    if (ownWrites.cacheIsBehind(key, existing)) {
      throw new IllegalStateException(
          "EndpointSlice informer cache is out of date for Service "
              + key
              + ": it does not yet show this controller's last write");
    }
    List<EndpointSlice> desired = List.of();
    Optional<Instant> triggeredAt = Optional.empty();
    if (service != null
        && service.getSpec() != null
        && service.getSpec().getSelector() != null
        && !service.getSpec().getSelector().isEmpty()) {
      List<Pod> selected =
          informers.pods.getStore().list().stream()
              .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && selects(service, p))
              .toList();
      desired = DesiredEndpointSlices.of(service, selected);
      triggeredAt = triggerTimes.compute(key, service, selected);
    } else {
      triggerTimes.forget(key);
    }
    Set<String> desiredNames =
        desired.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    for (EndpointSlice want : desired) {
      Optional<EndpointSlice> have =
          existing.stream()
              .filter(s -> s.getMetadata().getName().equals(want.getMetadata().getName()))
              .findFirst();
      if (have.isEmpty()) {
        ownWrites.recordWrite(
            key,
            client
                .discovery()
                .v1()
                .endpointSlices()
                .resource(withTriggerTime(want, triggeredAt))
                .create());
        changed(want);
      } else if (!sameContent(have.get(), want)) {
        ownWrites.recordWrite(
            key,
            client
                .discovery()
                .v1()
                .endpointSlices()
                .resource(
                    withTriggerTime(
                        new EndpointSliceBuilder(have.get())
                            .withPorts(want.getPorts())
                            .withEndpoints(want.getEndpoints())
                            .build(),
                        triggeredAt))
                .update());
        changed(want);
      }
    }
    for (EndpointSlice stale : existing) {
      if (!desiredNames.contains(stale.getMetadata().getName())) {
        try {
          client.discovery().v1().endpointSlices().resource(stale).delete();
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
            throw e;
          }
        }
        ownWrites.recordDeletion(key, stale);
        changed(new EndpointSliceBuilder(stale).withEndpoints(List.of()).build());
      }
    }
  }

  /**
   * The reconciler writes the trigger time on every slice it creates or updates, and removes a
   * stale one when this sync has none (pkg/controller/endpointslice/reconciler.go), in Go's
   * RFC3339Nano form, which {@link Instant#toString()} matches for UTC.
   */
  private static EndpointSlice withTriggerTime(EndpointSlice slice, Optional<Instant> triggeredAt) {
    EndpointSlice copy = new EndpointSliceBuilder(slice).build();
    Map<String, String> annotations =
        copy.getMetadata().getAnnotations() == null
            ? new java.util.HashMap<>()
            : new java.util.HashMap<>(copy.getMetadata().getAnnotations());
    triggeredAt.ifPresentOrElse(
        t -> annotations.put(EndpointTriggerTimes.ANNOTATION, t.toString()),
        () -> annotations.remove(EndpointTriggerTimes.ANNOTATION));
    copy.getMetadata().setAnnotations(annotations);
    return copy;
  }

  private static boolean sameContent(EndpointSlice a, EndpointSlice b) {
    return Objects.equals(a.getPorts(), b.getPorts())
        && Objects.equals(a.getEndpoints(), b.getEndpoints());
  }

  private void changed(EndpointSlice slice) {
    String detail =
        slice.getEndpoints().stream()
            .map(EndpointSliceController::describe)
            .collect(Collectors.joining("; "));
    events.record(
        LabEvent.now(
            LabEvent.Kind.ENDPOINTS_CHANGED,
            slice.getMetadata().getNamespace(),
            slice.getMetadata().getName(),
            null,
            detail.isEmpty() ? "no endpoints" : detail));
  }

  static String describe(Endpoint e) {
    String pod = e.getTargetRef() == null ? "?" : e.getTargetRef().getName();
    return pod
        + " "
        + String.join(",", e.getAddresses())
        + " ready="
        + e.getConditions().getReady()
        + " serving="
        + e.getConditions().getServing()
        + " terminating="
        + e.getConditions().getTerminating();
  }

  @Override
  public void close() {
    queue.close();
  }
}
