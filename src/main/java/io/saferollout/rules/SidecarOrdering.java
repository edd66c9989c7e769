package io.saferollout.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.saferollout.api.Mode;
import io.saferollout.api.SidecarMode;
import java.util.Map;

/**
 * SR004: sidecars start before the application and stop after it. Three ways, by mesh: native
 * sidecars (KEP-753: restartable init containers start before, and stop after, the main
 * containers), Istio's holdApplicationUntilProxyStarts plus a drain as long as the application's
 * shutdown, Linkerd's proxy-await plus proxy-wait-before-exit-seconds.
 */
final class SidecarOrdering {
  static final String ISTIO_INJECT = "sidecar.istio.io/inject";
  static final String ISTIO_PROXY_CONFIG = "proxy.istio.io/config";
  static final String LINKERD_INJECT = "linkerd.io/inject";
  static final String LINKERD_PROXY_AWAIT = "config.linkerd.io/proxy-await";
  static final String LINKERD_WAIT_BEFORE_EXIT = "config.alpha.linkerd.io/proxy-wait-before-exit-seconds";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  private static final ObjectMapper JSON = new ObjectMapper();

  private SidecarOrdering() {}

  static void apply(HardeningDraft draft, HardeningPolicy policy, ClusterCapabilities caps) {
    PodTemplateSpec template = draft.current().getSpec().getTemplate();
    PodContainers roles = PodContainers.of(template);
    switch (effectiveMode(policy.sidecars(), template, roles)) {
      case Istio -> istio(draft, policy);
      case Linkerd -> linkerd(draft, policy);
      case Native -> nativeSidecars(draft, roles, caps);
      case Auto, None -> { }
    }
  }

  /** Auto picks the mesh the template is injected by, else native sidecars when there are sidecars. */
  static SidecarMode effectiveMode(SidecarMode requested, PodTemplateSpec template, PodContainers roles) {
    if (requested != SidecarMode.Auto) {
      return requested;
    }
    ObjectMeta meta = template.getMetadata();
    Map<String, String> labels = meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
    Map<String, String> annotations = meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    boolean istioProxy = template.getSpec().getContainers().stream().anyMatch(c -> "istio-proxy".equals(c.getName()));
    if ("true".equals(labels.get(ISTIO_INJECT)) || "true".equals(annotations.get(ISTIO_INJECT)) || istioProxy) {
      return SidecarMode.Istio;
    }
    if ("enabled".equals(annotations.get(LINKERD_INJECT))) {
      return SidecarMode.Linkerd;
    }
    return roles.sidecars().isEmpty() ? SidecarMode.None : SidecarMode.Native;
  }

  private static void nativeSidecars(HardeningDraft draft, PodContainers roles, ClusterCapabilities caps) {
    for (Container sidecar : roles.sidecars()) {
      FieldPath from = DeploymentPaths.container(sidecar.getName());
      if (!caps.nativeSidecars()) {
        draft.find(Rule.SR004, from, "sidecar '" + sidecar.getName() + "' starts and stops with the application, and "
            + "Kubernetes " + caps + " has no native sidecars (1.29+)");
        continue;
      }
      FieldPath to = DeploymentPaths.initContainer(sidecar.getName());
      if (draft.get(to).isPresent()) {
        draft.find(Rule.SR004, from, "sidecar '" + sidecar.getName()
            + "' cannot become a native sidecar: an init container has the same name");
        continue;
      }
      ObjectNode moved = (ObjectNode) draft.get(from).orElseThrow().deepCopy();
      moved.put("restartPolicy", "Always");
      draft.change(Rule.SR004, from, null, "sidecar '" + sidecar.getName() + "' moves to initContainers");
      // Appended after the existing init containers: those (e.g. network setup) still run first.
      draft.change(Rule.SR004, to, moved, "sidecar '" + sidecar.getName()
          + "' as a native sidecar (restartPolicy: Always) starts before the application and stops after it");
    }
  }

  private static void istio(HardeningDraft draft, HardeningPolicy policy) {
    FieldPath path = DeploymentPaths.annotation(ISTIO_PROXY_CONFIG);
    String text = draft.get(path).map(JsonNode::asText).orElse("");
    ObjectNode config;
    try {
      JsonNode parsed = text.isBlank() ? JsonNodeFactory.instance.objectNode() : YAML.readTree(text);
      if (!(parsed instanceof ObjectNode object)) {
        throw new IllegalArgumentException("not a mapping");
      }
      config = object;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      draft.find(Rule.SR004, path, "annotation " + ISTIO_PROXY_CONFIG
          + " is not a YAML mapping, so holdApplicationUntilProxyStarts cannot be added to it");
      return;
    }
    boolean ours = draft.owns(path);
    ObjectNode wanted = config.deepCopy();
    JsonNode hold = config.get("holdApplicationUntilProxyStarts");
    if (hold == null || ours || draft.mode() == Mode.Enforce) {
      wanted.set("holdApplicationUntilProxyStarts", BooleanNode.TRUE);
    } else if (!hold.asBoolean(false)) {
      draft.find(Rule.SR004, path, "holdApplicationUntilProxyStarts is " + hold.asText()
          + ": the application can start before the Istio proxy; kept because it is the user's");
    }
    // Istio's proxy drains for terminationDrainDuration (5 s by default) after SIGTERM, then exits;
    // it must outlive the application's preStop delay and drain, or requests fail at the proxy.
    if (!config.has("terminationDrainDuration") || ours) {
      wanted.put("terminationDrainDuration", (policy.preStopDelaySeconds() + policy.drainSeconds()) + "s");
    }
    if (!wanted.equals(config)) {
      draft.change(Rule.SR004, path, TextNode.valueOf(render(wanted, text)),
          "Istio: hold the application until the proxy is ready, and keep the proxy up while the application drains");
    }
  }

  /** In the format the annotation already uses (Istio reads it as YAML, and JSON is YAML too). */
  private static String render(ObjectNode config, String original) {
    try {
      return original.trim().startsWith("{") ? JSON.writeValueAsString(config) : YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write Istio proxy config", e);
    }
  }

  private static void linkerd(HardeningDraft draft, HardeningPolicy policy) {
    draft.settle(Rule.SR004, DeploymentPaths.annotation(LINKERD_PROXY_AWAIT), TextNode.valueOf("enabled"),
        v -> v.asText().equals("enabled"),
        "Linkerd: the application starts once its proxy is ready",
        LINKERD_PROXY_AWAIT + " is not 'enabled': the application can start before the Linkerd proxy; kept because it is the user's");
    int shutdown = policy.preStopDelaySeconds() + policy.drainSeconds();
    // The Linkerd proxy stops taking new requests on SIGTERM; it must wait out the application's shutdown.
    draft.settle(Rule.SR004, DeploymentPaths.annotation(LINKERD_WAIT_BEFORE_EXIT), TextNode.valueOf(Integer.toString(shutdown)),
        v -> seconds(v.asText()) >= shutdown,
        "Linkerd: the proxy stays up for the application's preStop delay and drain (" + shutdown + " s)",
        LINKERD_WAIT_BEFORE_EXIT + " is shorter than the application's preStop delay and drain (" + shutdown
            + " s); kept because it is the user's");
  }

  private static int seconds(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
