package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The roles of a pod template's containers: which serve the application's traffic, and which are
 * sidecars (proxies and agents that must be up before the application and outlive it).
 *
 * @param serving containers that take the Service's traffic: non-sidecars declaring a port, or the
 *     only non-sidecar container
 * @param sidecars sidecars still in {@code containers}, started and stopped with no ordering
 * @param nativeSidecars sidecars already in {@code initContainers} with {@code restartPolicy:
 *     Always}
 */
public record PodContainers(
    List<Container> serving, List<Container> sidecars, List<Container> nativeSidecars) {
  /**
   * Pod-template annotation naming the sidecars, comma-separated; when present it replaces
   * detection.
   */
  public static final String SIDECARS_ANNOTATION = "saferollout.io/sidecars";

  /**
   * Container names the meshes' injectors and well-known proxies use: Istio's injector adds {@code
   * istio-proxy}, Linkerd's {@code linkerd-proxy}; the Cloud SQL Auth Proxy's docs name it {@code
   * cloud-sql-proxy}.
   */
  private static final Set<String> SIDECAR_NAMES =
      Set.of(
          "istio-proxy",
          "linkerd-proxy",
          "envoy",
          "envoy-sidecar",
          "cloud-sql-proxy",
          "cloudsql-proxy");

  /**
   * Image repositories (without registry host or tag) of proxies that only ever run as sidecars:
   * Istio's {@code istio/proxyv2} (any hub), Linkerd's {@code cr.l5d.io/linkerd/proxy}, Envoy's
   * {@code envoyproxy/envoy} (a pod of proxies only is still the application, see {@link #of}), the
   * Cloud SQL proxies. An image merely ending in {@code -proxy} is not enough: an application can
   * be a proxy (an nginx "api-proxy", an Envoy front proxy), and moving it would reorder the
   * application.
   */
  private static final List<String> SIDECAR_IMAGES =
      List.of(
          "/proxyv2",
          "linkerd/proxy",
          "envoyproxy/envoy",
          "cloud-sql-connectors/cloud-sql-proxy",
          "cloudsql-docker/gce-proxy");

  public static PodContainers of(PodTemplateSpec template) {
    PodSpec spec = template == null ? null : template.getSpec();
    if (spec == null) {
      return new PodContainers(List.of(), List.of(), List.of());
    }
    Map<String, String> annotations =
        template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
    String declared = annotations == null ? null : annotations.get(SIDECARS_ANNOTATION);
    Set<String> named =
        declared == null
            ? null
            : Arrays.stream(declared.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());

    List<Container> containers = spec.getContainers() == null ? List.of() : spec.getContainers();
    List<Container> sidecars = containers.stream().filter(c -> isSidecar(c, named)).toList();
    List<Container> others = containers.stream().filter(c -> !isSidecar(c, named)).toList();
    if (others.isEmpty()) {
      // A pod of proxies only (an Envoy front proxy, say) is itself the application.
      others = containers;
      sidecars = List.of();
    }
    List<Container> serving =
        others.stream().filter(c -> c.getPorts() != null && !c.getPorts().isEmpty()).toList();
    if (serving.isEmpty() && others.size() == 1) {
      serving = others;
    }
    List<Container> inits = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
    List<Container> nativeSidecars =
        inits.stream().filter(c -> "Always".equals(c.getRestartPolicy())).toList();
    return new PodContainers(serving, sidecars, nativeSidecars);
  }

  private static boolean isSidecar(Container c, Set<String> named) {
    if (named != null) {
      return named.contains(c.getName());
    }
    return SIDECAR_NAMES.contains(c.getName()) || isProxyImage(c.getImage());
  }

  static boolean isProxyImage(String image) {
    if (image == null || image.isBlank()) {
      return false;
    }
    String repository = image.split("@", 2)[0];
    int tag = repository.lastIndexOf(':');
    if (tag > repository.lastIndexOf('/')) {
      repository = repository.substring(0, tag);
    }
    String path = "/" + repository;
    return SIDECAR_IMAGES.stream()
        .anyMatch(known -> path.endsWith(known.startsWith("/") ? known : "/" + known));
  }
}
