package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The fixtures under {@code src/test/resources/real-api}: Deployments as real API servers return
 * them after kubectl (client- and server-side), Helm, Argo CD and Flux wrote them, each citing its
 * source in its header; a second document, when present, is the Deployment's Namespace as served.
 */
public record RealApiCorpus(String name, Deployment deployment, Namespace namespace) {
  public static final List<String> FIXTURES =
      List.of(
          "kubectl-client-side-apply",
          "kubectl-client-side-apply-explicit-defaults",
          "kubectl-server-side-apply",
          "helm-install",
          "helm-upgrade",
          "argocd-client-side-sync",
          "argocd-server-side-sync",
          "flux-kustomize-controller",
          "flux-helm-controller",
          "saferollout-hardened",
          "saferollout-hardened-then-kubectl-edit");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  public static RealApiCorpus load(String name) {
    String text;
    try (InputStream in = RealApiCorpus.class.getResourceAsStream("/real-api/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture real-api/" + name + ".yaml");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String[] documents = text.split("\n---\n");
    Deployment deployment = SERIALIZATION.unmarshal(documents[0], Deployment.class);
    Namespace namespace =
        documents.length > 1 ? SERIALIZATION.unmarshal(documents[1], Namespace.class) : null;
    return new RealApiCorpus(name, deployment, namespace);
  }

  /** The live context the operator would plan with, knowing nothing SafeRollout did before. */
  public LiveTarget live() {
    return live(java.util.Set.of(), List.of());
  }

  public LiveTarget live(java.util.Set<String> owned, List<Change> recorded) {
    Map<String, String> labels =
        namespace == null || namespace.getMetadata().getLabels() == null
            ? Map.of()
            : namespace.getMetadata().getLabels();
    Map<String, String> annotations =
        namespace == null || namespace.getMetadata().getAnnotations() == null
            ? Map.of()
            : namespace.getMetadata().getAnnotations();
    return new LiveTarget(owned, recorded, labels, annotations);
  }
}
