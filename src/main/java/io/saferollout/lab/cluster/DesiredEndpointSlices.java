package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The EndpointSlices a Service should have for its pods (pkg/controller/endpointslice): one
 * endpoint per pod that has an IP and has not finished, with the conditions of
 * https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions — ready =
 * Ready and not terminating, serving = Ready whatever termination says, terminating = being deleted
 * — and ports from each Service port's targetPort (a number, or a container port's name, so pods
 * resolving a name differently land in different slices).
 */
final class DesiredEndpointSlices {

  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
  static final String MANAGED_BY = "endpointslice-controller.k8s.io";

  private DesiredEndpointSlices() {}

  static List<EndpointSlice> of(Service service, List<Pod> selectedPods) {
    Map<List<EndpointPort>, List<Endpoint>> byPorts = new LinkedHashMap<>();
    selectedPods.stream()
        .filter(
            p ->
                p.getStatus() != null
                    && p.getStatus().getPodIP() != null
                    && !PodConditions.isTerminal(p))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .forEach(
            pod ->
                ports(service, pod)
                    .ifPresent(
                        ports ->
                            byPorts
                                .computeIfAbsent(ports, k -> new ArrayList<>())
                                .add(endpoint(service, pod))));
    List<EndpointSlice> slices = new ArrayList<>();
    byPorts.forEach((ports, endpoints) -> slices.add(slice(service, ports, endpoints)));
    return slices;
  }

  private static Endpoint endpoint(Service service, Pod pod) {
    boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    boolean serving = publishNotReady || PodConditions.isReady(pod);
    boolean terminating = PodConditions.isTerminating(pod);
    return new EndpointBuilder()
        .withAddresses(pod.getStatus().getPodIP())
        .withNewConditions()
        .withReady(serving && !terminating)
        .withServing(serving)
        .withTerminating(terminating)
        .endConditions()
        .withNodeName(pod.getSpec().getNodeName())
        .withTargetRef(
            new ObjectReferenceBuilder()
                .withKind("Pod")
                .withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .build())
        .build();
  }

  /** Empty when a named targetPort is not declared by the pod: such a pod gets no endpoint. */
  private static Optional<List<EndpointPort>> ports(Service service, Pod pod) {
    List<EndpointPort> ports = new ArrayList<>();
    for (ServicePort sp : service.getSpec().getPorts()) {
      Optional<Integer> target = targetPort(sp, pod);
      if (target.isEmpty()) {
        return Optional.empty();
      }
      ports.add(
          new EndpointPortBuilder()
              .withName(sp.getName() == null ? "" : sp.getName())
              .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol())
              .withPort(target.get())
              .withAppProtocol(sp.getAppProtocol())
              .build());
    }
    return Optional.of(ports);
  }

  private static Optional<Integer> targetPort(ServicePort sp, Pod pod) {
    IntOrString target = sp.getTargetPort();
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      return Optional.ofNullable(sp.getPort());
    }
    if (target.getIntVal() != null) {
      return Optional.of(target.getIntVal());
    }
    return Stream.concat(
            pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
        .map(Container::getPorts)
        .flatMap(List::stream)
        .filter(p -> target.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst();
  }

  private static EndpointSlice slice(
      Service service, List<EndpointPort> ports, List<Endpoint> endpoints) {
    String suffix = PodTemplateHash.safeHash(ports.toString());
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(service.getMetadata().getName() + "-" + suffix)
        .withNamespace(service.getMetadata().getNamespace())
        .addToLabels(SERVICE_NAME_LABEL, service.getMetadata().getName())
        .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
        .withOwnerReferences(DeploymentController.controllerReference(service))
        .endMetadata()
        .withAddressType("IPv4")
        .withPorts(ports)
        .withEndpoints(endpoints)
        .build();
  }
}
