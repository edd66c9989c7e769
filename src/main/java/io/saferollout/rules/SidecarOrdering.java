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
  static final String ISTIO_REVISION = "istio.io/rev";
  static final String ISTIO_NAMESPACE_INJECTION = "istio-injection";
  static final String LINKERD_INJECT = "linkerd.io/inject";
  static final String LINKERD_PROXY_AWAIT = "config.linkerd.io/proxy-await";
  static final String LINKERD_WAIT_BEFORE_EXIT =
      "config.alpha.linkerd.io/proxy-wait-before-exit-seconds";

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  private static final ObjectMapper JSON = new ObjectMapper();

  private SidecarOrdering() {}

  static void apply(HardeningDraft draft, HardeningPolicy policy, ClusterCapabilities caps) {
    PodTemplateSpec template = draft.current().getSpec().getTemplate();
    PodContainers roles = PodContainers.of(template);
    LiveTarget live = draft.live().orElse(null);
    Map<String, String> nsLabels = live == null ? Map.of() : live.namespaceLabels();
    Map<String, String> nsAnnotations = live == null ? Map.of() : live.namespaceAnnotations();
    switch (effectiveMode(policy.sidecars(), template, roles, nsLabels, nsAnnotations)) {
      case Istio -> istio(draft, policy);
      case Linkerd -> linkerd(draft, policy);
      case Native ->
          nativeSidecars(
              draft, roles, caps, live != null && policy.sidecars() != SidecarMode.Native);
      case Auto, None -> {}
    }
  }

  /** For a manifest file, whose namespace is not known. */
  static SidecarMode effectiveMode(
      SidecarMode requested, PodTemplateSpec template, PodContainers roles) {
    return effectiveMode(requested, template, roles, Map.of(), Map.of());
  }

  /**
   * Auto picks the mesh the pods are injected by, else native sidecars when there are sidecars.
   * Injection is on when the pod template or its namespace asks for it: Istio's {@code
   * istio-injection=enabled} or {@code istio.io/rev} namespace label, or the pod's {@code
   * sidecar.istio.io/inject} (Istio docs, "Installing the sidecar": the pod label overrides the
   * namespace); Linkerd's {@code linkerd.io/inject: enabled} annotation on the namespace or the pod
   * (Linkerd docs, "Automatic proxy injection").
   */
  static SidecarMode effectiveMode(
      SidecarMode requested,
      PodTemplateSpec template,
      PodContainers roles,
      Map<String, String> namespaceLabels,
      Map<String, String> namespaceAnnotations) {
    if (requested != SidecarMode.Auto) {
      return requested;
    }
    ObjectMeta meta = template.getMetadata();
    Map<String, String> labels =
        meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
    Map<String, String> annotations =
        meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    boolean istioOptOut =
        "false".equals(labels.get(ISTIO_INJECT)) || "false".equals(annotations.get(ISTIO_INJECT));
    boolean istioPod =
        "true".equals(labels.get(ISTIO_INJECT))
            || "true".equals(annotations.get(ISTIO_INJECT))
            || labels.containsKey(ISTIO_REVISION)
            || hasContainer(template, "istio-proxy");
    boolean istioNamespace =
        "enabled".equals(namespaceLabels.get(ISTIO_NAMESPACE_INJECTION))
            || namespaceLabels.containsKey(ISTIO_REVISION);
    if (istioPod || (istioNamespace && !istioOptOut)) {
      return SidecarMode.Istio;
    }
    String linkerdPod = annotations.get(LINKERD_INJECT);
    if ("enabled".equals(linkerdPod)
        || hasContainer(template, "linkerd-proxy")
        || ("enabled".equals(namespaceAnnotations.get(LINKERD_INJECT))
            && !"disabled".equals(linkerdPod))) {
      return SidecarMode.Linkerd;
    }
    return roles.sidecars().isEmpty() ? SidecarMode.None : SidecarMode.Native;
  }

  private static boolean hasContainer(PodTemplateSpec template, String name) {
    return template.getSpec().getContainers().stream().anyMatch(c -> name.equals(c.getName()));
  }

  private static void nativeSidecars(
      HardeningDraft draft, PodContainers roles, ClusterCapabilities caps, boolean onlyReport) {
    for (Container sidecar : roles.sidecars()) {
      FieldPath from = DeploymentPaths.container(sidecar.getName());
      if (!caps.nativeSidecars()) {
        draft.find(
            Rule.SR004,
            from,
            "sidecar '"
                + sidecar.getName()
                + "' starts and stops with the application, and "
                + "Kubernetes "
                + caps
                + " has no native sidecars (1.29+)");
        continue;
      }
      if (onlyReport) {
        // Moving a container between lists in the live object is undone by the next Helm upgrade or
        // GitOps sync, which re-adds it under containers: a duplicate name, and a sync that fails.
        draft.find(
            Rule.SR004,
            from,
            "sidecar '"
                + sidecar.getName()
                + "' starts and stops with the application; "
                + "as a native sidecar it would start before it and stop after it",
            "Run `saferollout harden` on the manifest in Git (it moves the sidecar to initContainers with "
                + "restartPolicy: Always), or set sidecars: Native on the SafeRollout if nothing re-applies this Deployment.");
        continue;
      }
      FieldPath to = DeploymentPaths.initContainer(sidecar.getName());
      if (draft.get(to).isPresent()) {
        draft.find(
            Rule.SR004,
            from,
            "sidecar '"
                + sidecar.getName()
                + "' cannot become a native sidecar: an init container has the same name");
        continue;
      }
      ObjectNode moved = (ObjectNode) draft.get(from).orElseThrow().deepCopy();
      moved.put("restartPolicy", "Always");
      draft.change(
          Rule.SR004, from, null, "sidecar '" + sidecar.getName() + "' moves to initContainers");
      // Appended after the existing init containers: those (e.g. network setup) still run first.
      draft.change(
          Rule.SR004,
          to,
          moved,
          "sidecar '"
              + sidecar.getName()
              + "' as a native sidecar (restartPolicy: Always) starts before the application and stops after it");
    }
  }

  /**
   * Istio reads proxy.istio.io/config as YAML (JSON is YAML too). The annotation SafeRollout wrote
   * is rendered whole; a user's annotation only gets the keys it lacks, appended to its text, so
   * nothing the user wrote is rewritten (a rewrite would be a template change, hence a rollout, on
   * every sync that restores the user's text).
   */
  private static void istio(HardeningDraft draft, HardeningPolicy policy) {
    FieldPath path = DeploymentPaths.annotation(ISTIO_PROXY_CONFIG);
    String text = draft.get(path).map(JsonNode::asText).orElse("");
    ObjectNode config;
    try {
      JsonNode parsed =
          text.isBlank() ? JsonNodeFactory.instance.objectNode() : YAML.readTree(text);
      if (!(parsed instanceof ObjectNode object)) {
        throw new IllegalArgumentException("not a mapping");
      }
      config = object;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      draft.find(
          Rule.SR004,
          path,
          "annotation "
              + ISTIO_PROXY_CONFIG
              + " is not a YAML mapping, so holdApplicationUntilProxyStarts cannot be added to it");
      return;
    }
    boolean ours = text.isBlank() || draft.created(path);
    // Istio's proxy drains for terminationDrainDuration (5 s by default) after SIGTERM, then exits;
    // it must outlive the application's preStop delay and drain, or requests fail at the proxy.
    ObjectNode wanted = JsonNodeFactory.instance.objectNode();
    wanted.set("holdApplicationUntilProxyStarts", BooleanNode.TRUE);
    wanted.put(
        "terminationDrainDuration", (policy.preStopDelaySeconds() + policy.drainSeconds()) + "s");
    JsonNode hold = config.get("holdApplicationUntilProxyStarts");
    if (!ours && hold != null && !hold.asBoolean(false)) {
      draft.find(
          Rule.SR004,
          path,
          "holdApplicationUntilProxyStarts is "
              + hold.asText()
              + ": the application can start before the Istio proxy; kept because it is the user's");
    }
    String next;
    if (ours) {
      ObjectNode merged = config.deepCopy();
      merged.setAll(wanted);
      next = merged.equals(config) ? text : render(merged, text);
    } else {
      ObjectNode absent = JsonNodeFactory.instance.objectNode();
      wanted
          .fields()
          .forEachRemaining(
              e -> {
                if (!config.has(e.getKey())) {
                  absent.set(e.getKey(), e.getValue());
                }
              });
      next = absent.isEmpty() ? text : appended(text, absent);
    }
    if (!next.equals(text)) {
      draft.change(
          Rule.SR004,
          path,
          TextNode.valueOf(next),
          "Istio: hold the application until the proxy is ready, and keep the proxy up while the application drains");
    }
  }

  /**
   * The user's text with more keys: inside a flow mapping before its closing brace, else as new
   * lines.
   */
  private static String appended(String original, ObjectNode more) {
    String trimmed = original.stripTrailing();
    if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
      String inner = trimmed.substring(1, trimmed.length() - 1);
      String json = more.toString();
      String members = json.substring(1, json.length() - 1);
      return trimmed.substring(0, trimmed.length() - 1)
          + (inner.isBlank() ? "" : ",")
          + members
          + "}"
          + original.substring(trimmed.length());
    }
    StringBuilder out = new StringBuilder(trimmed);
    more.fields()
        .forEachRemaining(
            e -> out.append('\n').append(e.getKey()).append(": ").append(e.getValue().asText()));
    return out.append('\n').toString();
  }

  /** In the format the annotation already uses (Istio reads it as YAML, and JSON is YAML too). */
  private static String render(ObjectNode config, String original) {
    try {
      return original.trim().startsWith("{")
          ? JSON.writeValueAsString(config)
          : YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write Istio proxy config", e);
    }
  }

  private static void linkerd(HardeningDraft draft, HardeningPolicy policy) {
    draft.settle(
        Rule.SR004,
        DeploymentPaths.annotation(LINKERD_PROXY_AWAIT),
        TextNode.valueOf("enabled"),
        v -> v.asText().equals("enabled"),
        "Linkerd: the application starts once its proxy is ready",
        LINKERD_PROXY_AWAIT
            + " is not 'enabled': the application can start before the Linkerd proxy; kept because it is the user's");
    int shutdown = policy.preStopDelaySeconds() + policy.drainSeconds();
    // The Linkerd proxy stops taking new requests on SIGTERM; it must wait out the application's
    // shutdown.
    draft.settle(
        Rule.SR004,
        DeploymentPaths.annotation(LINKERD_WAIT_BEFORE_EXIT),
        TextNode.valueOf(Integer.toString(shutdown)),
        v -> seconds(v.asText()) >= shutdown,
        "Linkerd: the proxy stays up for the application's preStop delay and drain ("
            + shutdown
            + " s)",
        LINKERD_WAIT_BEFORE_EXIT
            + " is shorter than the application's preStop delay and drain ("
            + shutdown
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
