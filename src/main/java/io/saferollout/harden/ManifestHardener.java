package io.saferollout.harden;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.manifest.MalformedManifestException;
import io.saferollout.manifest.ManifestDocument;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.manifest.ManifestObject;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies the hardener's changes to manifest files as text, for GitOps users who commit the result.
 *
 * <p>Only Deployments change, and only at the paths the plan names. The file is edited, not
 * rewritten: {@link DocumentEditor} splices the changed values into the text at the positions the
 * parser reported, so comments, quoting, flow or block style, key order, document separators and
 * Helm's {@code # Source:} lines stay byte for byte, and what is added follows the document's own
 * indentation and style. A reviewer's diff shows the hardened fields and nothing else.
 */
public final class ManifestHardener {
  private static final ObjectMapper FABRIC8 = Serialization.jsonMapper();

  private ManifestHardener() {}

  /**
   * @throws MalformedManifestException when a Deployment cannot be read, planned or edited in place
   */
  public static HardenedFile harden(
      ManifestFile file, HardeningPolicy policy, ClusterCapabilities caps) {
    StringBuilder text = new StringBuilder();
    List<HardenedDeployment> deployments = new ArrayList<>();
    for (ManifestDocument doc : file.documents()) {
      text.append(doc.separator());
      if (!(doc.tree() instanceof ObjectNode tree)) {
        text.append(doc.body());
        continue;
      }
      ObjectNode hardened = tree.deepCopy();
      if (ManifestFile.isList(tree)) {
        for (int i = 0; i < tree.get("items").size(); i++) {
          if (tree.get("items").get(i) instanceof ObjectNode item && isDeployment(item)) {
            ManifestObject object =
                new ManifestObject(
                    doc, item, doc.lines().elementLine(tree.get("items"), i, doc.startLine()));
            harden(object, (ObjectNode) hardened.get("items").get(i), policy, caps, deployments);
          }
        }
      } else if (isDeployment(tree)) {
        harden(new ManifestObject(doc, tree, doc.startLine()), hardened, policy, caps, deployments);
      }
      try {
        text.append(DocumentEditor.edit(doc.body(), file.source().isJson(), tree, hardened));
      } catch (IllegalArgumentException e) {
        throw new MalformedManifestException(
            doc.source().name(), doc.startLine(), "cannot harden in place: " + e.getMessage(), e);
      }
    }
    return new HardenedFile(file, text.toString(), deployments);
  }

  private static void harden(
      ManifestObject object,
      ObjectNode target,
      HardeningPolicy policy,
      ClusterCapabilities caps,
      List<HardenedDeployment> out) {
    HardeningPlan plan;
    try {
      Deployment deployment = FABRIC8.treeToValue(object.tree(), Deployment.class);
      plan = DeploymentHardener.plan(deployment, policy, caps, Set.of(), null);
    } catch (JsonProcessingException e) {
      throw new MalformedManifestException(
          object.file(),
          object.line(),
          object.displayName() + " is not a valid Deployment: " + e.getOriginalMessage(),
          e);
    } catch (IllegalArgumentException e) {
      throw new MalformedManifestException(object.file(), object.line(), e.getMessage(), e);
    }
    plan.changes().stream().map(PlannedChange::of).forEach(change -> change.applyTo(target));
    out.add(
        new HardenedDeployment(
            object.displayName(), object.line(), plan.changes(), plan.findings()));
  }

  private static boolean isDeployment(JsonNode tree) {
    return "Deployment".equals(tree.path("kind").asText());
  }
}
