package io.saferollout.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one patch per hardening to a Deployment under SafeRollout's own field manager. Server-side
 * apply first: the API server then records which fields we own, so GitOps tools and later
 * reconciles can tell our values from the user's. A server that answers 415 to apply (some proxies
 * and API stand-ins do) gets a JSON patch (RFC 6902) of exactly the changed fields plus the
 * resourceVersion we read, so a concurrent change by anyone else makes it fail with 409 rather than
 * be overwritten. (A JSON patch rather than a merge patch because list elements, such as
 * containers, are then addressed one by one, which every server implements the same way.)
 *
 * <p>Whether the server takes apply is learnt once and remembered for the life of the operator (a
 * restart asks again): until an apply has succeeded or been refused with 415, one patch at a time
 * asks, and concurrent reconciles wait for its answer instead of each sending an apply doomed to
 * the same 415 (with 200 SafeRollouts created at once, the first ~30 did, and their patches took a
 * round trip longer). Against a real API server the one waiting round trip is all it costs.
 */
final class DeploymentPatcher {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentPatcher.class);
  private static final int UNSUPPORTED_MEDIA_TYPE = 415;

  /** What the API server has shown about server-side apply so far. */
  enum ApplySupport {
    /** No apply answered yet: the next one asks, alone. */
    UNKNOWN,
    SUPPORTED,
    UNSUPPORTED
  }

  private final KubernetesClient client;
  private volatile ApplySupport applySupport = ApplySupport.UNKNOWN;

  /** Held by the one patch whose apply asks the server; the others wait for its answer. */
  private final ReentrantLock learning = new ReentrantLock();

  DeploymentPatcher(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param ownedPaths every field path SafeRollout sets on this Deployment after the patch
   * @param removesFields whether the change takes something away from the user's fields (moving a
   *     sidecar to initContainers, reverting): apply cannot remove a field another manager owns, so
   *     such changes always go as a JSON patch
   */
  Deployment patch(
      Deployment current,
      Deployment desired,
      Collection<String> ownedPaths,
      boolean removesFields) {
    if (removesFields) {
      return jsonPatch(current, desired);
    }
    ApplySupport known = applySupport;
    if (known == ApplySupport.UNKNOWN) {
      learning.lock();
      try {
        known = applySupport;
        if (known == ApplySupport.UNKNOWN) {
          Deployment applied = serverSideApply(desired, ownedPaths);
          applySupport = ApplySupport.SUPPORTED;
          return applied;
        }
      } catch (KubernetesClientException e) {
        known = shownBy(e);
        if (known != ApplySupport.UNSUPPORTED) {
          throw e;
        }
        LOG.info(
            "API server does not support server-side apply (415); using JSON patches guarded by resourceVersion");
        applySupport = known;
      } finally {
        learning.unlock();
      }
    }
    return known == ApplySupport.SUPPORTED
        ? serverSideApply(desired, ownedPaths)
        : jsonPatch(current, desired);
  }

  ApplySupport applySupport() {
    return applySupport;
  }

  /**
   * What a refused apply shows about the server's support for it. 415 is how the API server turns
   * away a patch type it does not implement (apiserver's endpoints/handlers/patch.go answers
   * UnsupportedMediaType for a content type outside its list; apply-patch+yaml is in it from
   * Kubernetes 1.16 on, GA in 1.22), so it holds for the life of the operator. Any other error
   * (409, 422, 429, 5xx, a timeout) is about this object or this moment, not about apply: the next
   * patch asks again.
   */
  static ApplySupport shownBy(KubernetesClientException refusal) {
    return refusal.getCode() == UNSUPPORTED_MEDIA_TYPE
        ? ApplySupport.UNSUPPORTED
        : ApplySupport.UNKNOWN;
  }

  private Deployment serverSideApply(Deployment desired, Collection<String> ownedPaths) {
    Deployment applied = apply(desired, ownedPaths);
    return ContainerKeyRelease.releasing(applied.getMetadata().getManagedFields())
        .map(entries -> releaseContainerKeys(applied, entries))
        .orElse(applied);
  }

  /**
   * Rewrites our managedFields entry without the containers' keys (see {@link
   * ContainerKeyRelease}). Clients may set managedFields (server-side apply docs, "Field
   * management"); changing no other field, this writes no Update entry and no new generation. The
   * JSON patch replaces our entry alone and only if it is still the one read (test operations), so
   * another writer's entries are never overwritten; the Deployment controller's status write right
   * after our apply makes a resourceVersion guard fail too often. A few tries, then the keys stay
   * ours until our next apply.
   */
  private Deployment releaseContainerKeys(Deployment applied, List<ManagedFieldsEntry> released) {
    Deployment current = applied;
    List<ManagedFieldsEntry> entries = released;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return client
            .apps()
            .deployments()
            .inNamespace(applied.getMetadata().getNamespace())
            .withName(applied.getMetadata().getName())
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.JSON)
                    .withFieldManager(OperatorSettings.FIELD_MANAGER)
                    .build(),
                ownEntryPatch(current.getMetadata().getManagedFields(), entries).toString());
      } catch (KubernetesClientException e) {
        LOG.debug(
            "Releasing container keys of Deployment {}/{}: {}",
            applied.getMetadata().getNamespace(),
            applied.getMetadata().getName(),
            e.getMessage());
      }
      current =
          client
              .apps()
              .deployments()
              .inNamespace(applied.getMetadata().getNamespace())
              .withName(applied.getMetadata().getName())
              .get();
      if (current == null) {
        return applied;
      }
      Optional<List<ManagedFieldsEntry>> again =
          ContainerKeyRelease.releasing(current.getMetadata().getManagedFields());
      if (again.isEmpty()) {
        return current;
      }
      entries = again.get();
    }
    return current;
  }

  /** Test our entry is unchanged at its index, then replace its field set. */
  static ArrayNode ownEntryPatch(List<ManagedFieldsEntry> read, List<ManagedFieldsEntry> released) {
    ArrayNode patch = Serialization.jsonMapper().createArrayNode();
    for (int i = 0; i < read.size(); i++) {
      if (read.get(i).equals(released.get(i))) {
        continue;
      }
      String at = "/metadata/managedFields/" + i;
      patch
          .addObject()
          .put("op", "test")
          .put("path", at + "/manager")
          .put("value", read.get(i).getManager());
      patch
          .addObject()
          .put("op", "test")
          .put("path", at + "/fieldsV1")
          .set("value", Serialization.jsonMapper().valueToTree(read.get(i).getFieldsV1()));
      patch
          .addObject()
          .put("op", "replace")
          .put("path", at + "/fieldsV1")
          .set("value", Serialization.jsonMapper().valueToTree(released.get(i).getFieldsV1()));
    }
    return patch;
  }

  private Deployment apply(Deployment desired, Collection<String> ownedPaths) {
    ObjectNode config = ApplyConfiguration.of(desired, ownedPaths);
    return client
        .apps()
        .deployments()
        .inNamespace(desired.getMetadata().getNamespace())
        // resource(...) rather than withName(...): fabric8 then patches without reading the object
        // first.
        .resource(desired)
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(OperatorSettings.FIELD_MANAGER)
                // Enforce mode corrects values other managers set; FillMissing never plans those,
                // so forcing only ever takes fields we were asked to take.
                .withForce(true)
                .build(),
            config.toString());
  }

  private Deployment jsonPatch(Deployment current, Deployment desired) {
    ArrayNode patch = jsonPatchBody(current, desired);
    LOG.debug(
        "JSON patch for Deployment {}/{}: {}",
        current.getMetadata().getNamespace(),
        current.getMetadata().getName(),
        patch);
    return client
        .apps()
        .deployments()
        .inNamespace(current.getMetadata().getNamespace())
        .resource(current)
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON)
                .withFieldManager(OperatorSettings.FIELD_MANAGER)
                .build(),
            patch.toString());
  }

  /** The JSON patch (RFC 6902) that turns {@code current} into {@code desired}, if unchanged. */
  static ArrayNode jsonPatchBody(Deployment current, Deployment desired) {
    ArrayNode patch = Serialization.jsonMapper().createArrayNode();
    // The API server treats a resourceVersion in the patched object as a precondition: if the
    // Deployment changed since we read it, this patch fails with 409 instead of overwriting.
    patch
        .addObject()
        .put("op", "replace")
        .put("path", "/metadata/resourceVersion")
        .put("value", current.getMetadata().getResourceVersion());
    patch.addAll(
        (ArrayNode) JsonDiff.asJson(withoutServerFields(current), withoutServerFields(desired)));
    return patch;
  }

  private static JsonNode withoutServerFields(Deployment d) {
    ObjectNode tree = Serialization.jsonMapper().valueToTree(d);
    tree.remove("status");
    if (tree.get("metadata") instanceof ObjectNode meta) {
      meta.remove("managedFields");
      meta.remove("resourceVersion");
    }
    return tree;
  }
}
