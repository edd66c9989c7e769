package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * SR020-SR022: checks of a Service against the Deployments of the same manifest bundle, for {@code
 * lint}. Pure; only Deployments in the Service's namespace count (an unset namespace is the
 * bundle's default and matches another unset one).
 */
public final class ServiceChecks {
  private ServiceChecks() {}

  /**
   * Findings for one Service. Paths are relative to the Service; a port is named by its {@code
   * name}, or by its port number when it has none (single-port Services may omit the name). A
   * Service without a selector (endpoints managed by hand) or of type ExternalName is not checked.
   */
  public static List<Finding> check(Service service, Collection<Deployment> deployments) {
    Objects.requireNonNull(service, "service");
    if (service.getSpec() == null || "ExternalName".equals(service.getSpec().getType())) {
      return List.of();
    }
    Map<String, String> selector = service.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      return List.of();
    }
    String namespace = service.getMetadata() == null ? null : service.getMetadata().getNamespace();
    List<Deployment> sameNamespace =
        (deployments == null ? List.<Deployment>of() : deployments)
            .stream()
                .filter(
                    d ->
                        d.getSpec() != null
                            && d.getSpec().getTemplate() != null
                            && d.getSpec().getTemplate().getSpec() != null)
                .filter(
                    d ->
                        Objects.equals(
                            namespace,
                            d.getMetadata() == null ? null : d.getMetadata().getNamespace()))
                .toList();
    List<Deployment> selected =
        sameNamespace.stream()
            .filter(
                d ->
                    LabelSelectorMatch.matches(
                        selector,
                        d.getSpec().getTemplate().getMetadata() == null
                            ? Map.of()
                            : d.getSpec().getTemplate().getMetadata().getLabels()))
            .toList();
    List<Finding> findings = new ArrayList<>();
    String name = service.getMetadata() == null ? "(unnamed)" : service.getMetadata().getName();
    if (selected.isEmpty()) {
      findings.add(
          new Finding(
              Rule.SR020,
              "spec.selector",
              "Service "
                  + name
                  + " selects "
                  + selector
                  + ", which matches no pod template among the Deployments "
                  + names(sameNamespace),
              null));
      return findings;
    }
    List<ServicePort> ports =
        service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
    for (ServicePort port : ports) {
      if (port.getPort() == null && port.getTargetPort() == null) {
        continue; // the API server rejects a port without a number; nothing to match
      }
      IntOrString target =
          port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
      String path =
          "spec.ports["
              + (port.getName() != null ? port.getName() : port.getPort())
              + "].targetPort";
      for (Deployment d : selected) {
        List<ContainerPort> declared = containerPorts(d.getSpec().getTemplate().getSpec());
        String deployment = d.getMetadata() == null ? "(unnamed)" : d.getMetadata().getName();
        if (target.getStrVal() != null && !isNumber(target.getStrVal())) {
          if (declared.stream().noneMatch(p -> target.getStrVal().equals(p.getName()))) {
            findings.add(
                new Finding(
                    Rule.SR021,
                    path,
                    "Service "
                        + name
                        + " targets port '"
                        + target.getStrVal()
                        + "', but no container of Deployment "
                        + deployment
                        + " has a port of that name",
                    null));
          }
        } else {
          int number =
              target.getIntVal() != null
                  ? target.getIntVal()
                  : Integer.parseInt(target.getStrVal());
          if (declared.stream().noneMatch(p -> Objects.equals(number, p.getContainerPort()))) {
            findings.add(
                new Finding(
                    Rule.SR022,
                    path,
                    "Service "
                        + name
                        + " targets port "
                        + number
                        + ", which no container of Deployment "
                        + deployment
                        + " declares",
                    null));
          }
        }
      }
    }
    return findings;
  }

  /**
   * Ports of the containers and native sidecars: both are in the pod's network namespace and get
   * traffic.
   */
  private static List<ContainerPort> containerPorts(PodSpec pod) {
    Stream<Container> inits =
        pod.getInitContainers() == null
            ? Stream.empty()
            : pod.getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy()));
    Stream<Container> containers =
        pod.getContainers() == null ? Stream.empty() : pod.getContainers().stream();
    return Stream.concat(containers, inits)
        .filter(c -> c.getPorts() != null)
        .flatMap(c -> c.getPorts().stream())
        .toList();
  }

  private static boolean isNumber(String text) {
    return !text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() < 6;
  }

  private static List<String> names(List<Deployment> deployments) {
    return deployments.stream()
        .map(d -> d.getMetadata() == null ? "(unnamed)" : d.getMetadata().getName())
        .toList();
  }
}
