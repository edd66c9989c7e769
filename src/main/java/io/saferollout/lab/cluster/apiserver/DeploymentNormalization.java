package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What the API server does to a Deployment between decoding and storing it, where it matters to who
 * owns what: defaulting (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment and
 * pkg/apis/core/v1/defaults.go for the pod template) and dropping zero values of fields that are
 * plain {@code int32} with {@code omitempty} in k8s.io/api (they cannot hold a 0 that survives a
 * round trip). An Update manager's write is normalized before its ownership is computed, so it owns
 * the defaults it caused (a client-side {@code kubectl apply} owns {@code maxUnavailable: 25%}); an
 * applier's configuration is merged first and the defaults fill in after, owned by nobody.
 */
final class DeploymentNormalization {

  private static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers");
  private static final List<String> PROBES =
      List.of("readinessProbe", "livenessProbe", "startupProbe");

  private DeploymentNormalization() {}

  static void normalize(ObjectNode deployment) {
    JsonNode specNode = deployment.get("spec");
    if (!(specNode instanceof ObjectNode spec)) {
      return;
    }
    putIfAbsent(spec, "replicas", 1);
    putIfAbsent(spec, "revisionHistoryLimit", 10);
    putIfAbsent(spec, "progressDeadlineSeconds", 600);
    dropZero(spec, "minReadySeconds"); // DeploymentSpec.MinReadySeconds int32 `json:",omitempty"`
    ObjectNode strategy = spec.withObjectProperty("strategy");
    if (!strategy.has("type")) {
      strategy.put("type", "RollingUpdate");
    }
    if ("RollingUpdate".equals(strategy.path("type").asText())) {
      ObjectNode rolling = strategy.withObjectProperty("rollingUpdate");
      if (!rolling.has("maxUnavailable")) {
        rolling.put("maxUnavailable", "25%");
      }
      if (!rolling.has("maxSurge")) {
        rolling.put("maxSurge", "25%");
      }
    }
    if (spec.path("template").path("spec") instanceof ObjectNode pod) {
      normalizePodSpec(pod);
    }
  }

  private static void normalizePodSpec(ObjectNode pod) {
    putIfAbsent(pod, "restartPolicy", "Always");
    putIfAbsent(pod, "terminationGracePeriodSeconds", 30);
    putIfAbsent(pod, "dnsPolicy", "ClusterFirst");
    putIfAbsent(pod, "schedulerName", "default-scheduler");
    if (!pod.has("securityContext")) {
      pod.putObject("securityContext");
    }
    for (String list : CONTAINER_LISTS) {
      for (JsonNode c : pod.path(list)) {
        if (c instanceof ObjectNode container) {
          normalizeContainer(container);
        }
      }
    }
  }

  private static void normalizeContainer(ObjectNode c) {
    putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
    putIfAbsent(c, "terminationMessagePolicy", "File");
    if (!c.has("imagePullPolicy")) {
      // SetDefaults_Container: Always for :latest or no tag, else IfNotPresent.
      String image = c.path("image").asText("");
      String tag =
          image.contains("@")
              ? "digest"
              : image.lastIndexOf(':') > image.lastIndexOf('/')
                  ? image.substring(image.lastIndexOf(':') + 1)
                  : "";
      c.put("imagePullPolicy", tag.isEmpty() || tag.equals("latest") ? "Always" : "IfNotPresent");
    }
    for (JsonNode p : c.path("ports")) {
      if (p instanceof ObjectNode port) {
        putIfAbsent(port, "protocol", "TCP");
      }
    }
    for (String name : PROBES) {
      if (c.get(name) instanceof ObjectNode probe) {
        dropZero(
            probe, "initialDelaySeconds"); // Probe.InitialDelaySeconds int32 `json:",omitempty"`
        defaultIfZero(probe, "timeoutSeconds", 1);
        defaultIfZero(probe, "periodSeconds", 10);
        defaultIfZero(probe, "successThreshold", 1);
        defaultIfZero(probe, "failureThreshold", 3);
        defaultScheme(probe);
      }
    }
    for (String hook : List.of("preStop", "postStart")) {
      if (c.path("lifecycle").get(hook) instanceof ObjectNode handler) {
        defaultScheme(handler);
      }
    }
  }

  private static void defaultScheme(ObjectNode handler) {
    if (handler.get("httpGet") instanceof ObjectNode http) {
      putIfAbsent(http, "scheme", "HTTP");
    }
  }

  /** Defaults a pointer field ({@code *int32}, string): only an absent value is unset. */
  private static void putIfAbsent(ObjectNode node, String field, Object value) {
    JsonNode present = node.get(field);
    if (present != null && !present.isNull()) {
      return;
    }
    if (value instanceof Integer i) {
      node.put(field, i);
    } else {
      node.put(field, value.toString());
    }
  }

  /** Defaults a plain {@code int32} field: defaults.go tests {@code == 0}, so a 0 is unset too. */
  private static void defaultIfZero(ObjectNode node, String field, int value) {
    if (node.path(field).asLong(0) == 0) {
      node.put(field, value);
    }
  }

  private static void dropZero(ObjectNode node, String field) {
    if (node.path(field).isNumber() && node.get(field).asLong() == 0) {
      node.remove(field);
    }
  }
}
