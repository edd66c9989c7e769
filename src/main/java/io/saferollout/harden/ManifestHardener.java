package io.saferollout.harden;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.manifest.MalformedManifestException;
import io.saferollout.manifest.ManifestDocument;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.manifest.ManifestObject;
import io.saferollout.rules.Change;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.FieldPath;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies the hardener's changes to manifest files as text, for GitOps users who commit the result.
 *
 * <p>Only Deployments change, and only at the paths the plan names: the changes are replayed onto
 * the tree parsed from the file (not onto fabric8's model, which would reorder every field and add
 * empty ones), so existing fields keep their order and new ones are appended where they belong.
 * Every other document, and every Deployment that needs nothing, is written back byte for byte.
 * A changed document is re-serialized, so its comments (apart from the ones before its first key,
 * such as Helm's {@code # Source:} line, which are kept) are lost.
 */
public final class ManifestHardener {
  private static final ObjectMapper FABRIC8 = Serialization.jsonMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestHardener() {}

  /** @throws MalformedManifestException when a Deployment cannot be read or planned */
  public static HardenedFile harden(ManifestFile file, HardeningPolicy policy, ClusterCapabilities caps) {
    StringBuilder text = new StringBuilder();
    List<HardenedDeployment> deployments = new ArrayList<>();
    for (ManifestDocument doc : file.documents()) {
      if (!(doc.tree() instanceof ObjectNode tree)) {
        text.append(doc.separator()).append(doc.body());
        continue;
      }
      ObjectNode copy = tree.deepCopy();
      boolean changed = false;
      if (ManifestFile.isList(tree)) {
        for (int i = 0; i < tree.get("items").size(); i++) {
          if (tree.get("items").get(i) instanceof ObjectNode item && isDeployment(item)) {
            ManifestObject object = new ManifestObject(doc, item, doc.lines().elementLine(tree.get("items"), i, doc.startLine()));
            changed |= harden(object, (ObjectNode) copy.get("items").get(i), policy, caps, deployments);
          }
        }
      } else if (isDeployment(tree)) {
        changed = harden(new ManifestObject(doc, tree, doc.startLine()), copy, policy, caps, deployments);
      }
      if (changed) {
        text.append(doc.separator());
        if (file.source().isJson()) {
          text.append(write(JSON, copy)).append('\n');
        } else {
          text.append(doc.leadingComments()).append(write(YAML, copy));
        }
      } else {
        text.append(doc.separator()).append(doc.body());
      }
    }
    return new HardenedFile(file, text.toString(), deployments);
  }

  private static boolean harden(ManifestObject object, ObjectNode target, HardeningPolicy policy,
      ClusterCapabilities caps, List<HardenedDeployment> out) {
    Deployment deployment;
    HardeningPlan plan;
    try {
      deployment = FABRIC8.treeToValue(object.tree(), Deployment.class);
      plan = DeploymentHardener.plan(deployment, policy, caps, Set.of(), null);
    } catch (JsonProcessingException e) {
      throw new MalformedManifestException(object.file(), object.line(),
          object.displayName() + " is not a valid Deployment: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new MalformedManifestException(object.file(), object.line(), e.getMessage(), e);
    }
    for (Change change : plan.changes()) {
      FieldPath.parse(change.path()).set(target, change.newValueTree());
    }
    out.add(new HardenedDeployment(object.displayName(), object.line(), plan.changes(), plan.findings()));
    return !plan.changes().isEmpty();
  }

  private static boolean isDeployment(JsonNode tree) {
    return "Deployment".equals(tree.path("kind").asText());
  }


  private static String write(ObjectMapper mapper, JsonNode tree) {
    try {
      return mapper.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the hardened manifest", e);
    }
  }
}
