package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * On the real control plane, the lab's timeline still shows what the controllers did: the events
 * the simulated ReplicaSet and EndpointSlice controllers record themselves ({@link
 * LabEvent.Kind#POD_CREATED}, {@link LabEvent.Kind#ENDPOINTS_CHANGED}) are recorded here when the
 * real controllers' writes arrive through the shared informers, so they come a watch delivery later
 * than the write itself.
 */
final class RealControllerEvents {

  private final LabEvents events;

  RealControllerEvents(LabEvents events) {
    this.events = events;
  }

  void register(SharedInformers informers) {
    informers.pods.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            podCreated(pod);
          }

          @Override
          public void onUpdate(Pod before, Pod after) {}

          @Override
          public void onDelete(Pod pod, boolean unknownFinalState) {}
        });
    informers.endpointSlices.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(EndpointSlice slice) {
            endpointsChanged(slice);
          }

          @Override
          public void onUpdate(EndpointSlice before, EndpointSlice after) {
            if (!Objects.equals(before.getEndpoints(), after.getEndpoints())) {
              endpointsChanged(after);
            }
          }

          @Override
          public void onDelete(EndpointSlice slice, boolean unknownFinalState) {}
        });
  }

  private void podCreated(Pod pod) {
    String owner =
        SharedInformers.controllerOf(pod)
            .map(ref -> "by " + ref.getKind() + " " + ref.getName())
            .orElse("without a controller");
    events.record(
        LabEvent.now(
            LabEvent.Kind.POD_CREATED,
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            null,
            owner));
  }

  private void endpointsChanged(EndpointSlice slice) {
    String detail =
        slice.getEndpoints() == null
            ? ""
            : slice.getEndpoints().stream()
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
}
