package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.saferollout.api.ReadinessProbeSpec;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * SR001-SR003, SR017: every serving container needs a readiness probe, or it gets traffic before it
 * can serve it (a container without one is ready as soon as it starts, per the Pod lifecycle docs).
 */
final class ReadinessRule {
  private ReadinessRule() {}

  /** The port to probe, or why there is none. */
  private record PortChoice(Integer port, String problem) {}

  static void apply(HardeningDraft draft, HardeningPolicy policy) {
    PodContainers roles = PodContainers.of(draft.current().getSpec().getTemplate());
    ReadinessProbeSpec wanted = policy.readiness();
    for (Container c : roles.serving()) {
      FieldPath path = DeploymentPaths.readinessProbe(c.getName());
      if (c.getReadinessProbe() != null && !draft.owns(path)) {
        continue;
      }
      PortChoice port = portFor(c, wanted.getPort());
      if (port.problem() != null) {
        draft.find(
            Rule.SR001,
            path,
            "container '" + c.getName() + "' has no readiness probe and " + port.problem(),
            "Add a readinessProbe to the container, or set spec.readinessProbe.port on the SafeRollout.");
        continue;
      }
      Probe probe = probe(wanted, port.port());
      String how =
          wanted.getPath() != null
              ? wanted.getScheme() + " GET " + wanted.getPath() + " on port " + port.port()
              : "TCP connect to port " + port.port();
      draft.change(
          Rule.SR001,
          path,
          ManifestJson.valueOf(probe),
          "container '" + c.getName() + "' had no readiness probe: " + how);
    }

    PodContainers now = PodContainers.of(draft.current().getSpec().getTemplate());
    for (Container c : now.serving()) {
      Probe readiness = c.getReadinessProbe();
      if (readiness == null) {
        continue;
      }
      FieldPath path = DeploymentPaths.readinessProbe(c.getName());
      if (readiness.getTcpSocket() != null) {
        draft.find(
            Rule.SR002,
            path,
            "container '"
                + c.getName()
                + "' is only checked with a TCP connect, which proves the port is open, not that the application can serve");
      }
      if (readiness.equals(c.getLivenessProbe())) {
        draft.find(
            Rule.SR017,
            path,
            "container '" + c.getName() + "' uses the same probe for readiness and liveness");
      }
    }
    List<Container> sidecars =
        Stream.concat(now.sidecars().stream(), now.nativeSidecars().stream()).toList();
    for (Container c : sidecars) {
      if (c.getReadinessProbe() == null) {
        FieldPath path =
            now.nativeSidecars().contains(c)
                ? DeploymentPaths.initContainer(c.getName()).field("readinessProbe")
                : DeploymentPaths.readinessProbe(c.getName());
        draft.find(
            Rule.SR003,
            path,
            "sidecar '"
                + c.getName()
                + "' has no readiness probe; SafeRollout does not know its health endpoint, so it adds none");
      }
    }
  }

  private static PortChoice portFor(Container c, IntOrString requested) {
    List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
    if (requested == null) {
      return ports.stream()
          .map(ContainerPort::getContainerPort)
          .filter(Objects::nonNull)
          .findFirst()
          .map(p -> new PortChoice(p, null))
          .orElse(
              new PortChoice(null, "declares no port, and spec.readinessProbe.port is not set"));
    }
    if (requested.getIntVal() != null) {
      return new PortChoice(requested.getIntVal(), null);
    }
    String name = requested.getStrVal();
    return ports.stream()
        .filter(p -> name.equals(p.getName()) && p.getContainerPort() != null)
        .findFirst()
        .map(p -> new PortChoice(p.getContainerPort(), null))
        .orElse(
            new PortChoice(
                null, "declares no port named '" + name + "' (spec.readinessProbe.port)"));
  }

  private static Probe probe(ReadinessProbeSpec spec, int port) {
    ProbeBuilder probe =
        new ProbeBuilder()
            .withInitialDelaySeconds(spec.getInitialDelaySeconds())
            .withPeriodSeconds(spec.getPeriodSeconds())
            .withTimeoutSeconds(spec.getTimeoutSeconds())
            .withSuccessThreshold(spec.getSuccessThreshold())
            .withFailureThreshold(spec.getFailureThreshold());
    if (spec.getPath() != null) {
      probe
          .withNewHttpGet()
          .withPath(spec.getPath())
          .withPort(new IntOrString(port))
          .withScheme(spec.getScheme())
          .endHttpGet();
    } else {
      probe.withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket();
    }
    return probe.build();
  }
}
