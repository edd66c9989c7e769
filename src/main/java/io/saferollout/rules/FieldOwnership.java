package io.saferollout.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who set which field of an object, as a real API server reports it in {@code
 * metadata.managedFields} (server-side apply docs, "Field management"), and whether a present value
 * was anybody's choice.
 *
 * <p>Both kinds of manager are read. An {@code Apply} manager owns exactly the fields its applied
 * configuration named. An {@code Update} manager (client-side {@code kubectl apply}, Helm 3, Argo
 * CD by default) owns every field its write changed, <em>including the ones the API server
 * defaulted in the same request</em>: after {@code kubectl create}, {@code
 * kubectl-client-side-apply} owns {@code maxUnavailable: 25%} and {@code
 * terminationGracePeriodSeconds: 30} although nobody wrote them. So a value equal to the Kubernetes
 * default counts as chosen only when an Apply manager owns it, or the {@code
 * kubectl.kubernetes.io/last-applied-configuration} annotation (what client-side apply and Argo CD
 * actually sent) contains it.
 *
 * <p>{@code fieldsV1} keys: {@code f:<name>} a field or map key, {@code k:{...}} a list element by
 * its merge keys (containers by {@code name}, ports by {@code containerPort} and {@code protocol}),
 * {@code v:<json>} an element of a set, {@code i:<n>} an element by index, {@code .} the element
 * itself; an empty object is a leaf or an atomic value owned as a whole.
 *
 * <p>Objects without managedFields (manifest files, servers that keep none) give no such knowledge:
 * every present value counts as the user's.
 */
public final class FieldOwnership {
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /**
   * Deployment fields the API server defaults when they are unset ({@code SetDefaults_Deployment}
   * and {@code SetDefaults_PodSpec} in Kubernetes' {@code pkg/apis/apps/v1/defaults.go} and {@code
   * pkg/apis/core/v1/defaults.go}), at the paths the rules read.
   */
  private static final Map<FieldPath, JsonNode> KUBERNETES_DEFAULTS =
      Map.of(
          DeploymentPaths.STRATEGY_TYPE,
          TextNode.valueOf("RollingUpdate"),
          DeploymentPaths.MAX_UNAVAILABLE,
          TextNode.valueOf("25%"),
          DeploymentPaths.MAX_SURGE,
          TextNode.valueOf("25%"),
          DeploymentPaths.GRACE_PERIOD,
          IntNode.valueOf(30),
          DeploymentPaths.PROGRESS_DEADLINE_SECONDS,
          IntNode.valueOf(600),
          DeploymentPaths.SPEC.field("revisionHistoryLimit"),
          IntNode.valueOf(10));

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One managedFields entry for the object's main resource (status writers are left out). */
  private record Manager(String name, boolean applies, JsonNode fields) {}

  private final JsonNode tree;
  private final List<Manager> managers;
  private final JsonNode lastApplied;

  private FieldOwnership(JsonNode tree, List<Manager> managers, JsonNode lastApplied) {
    this.tree = tree;
    this.managers = managers;
    this.lastApplied = lastApplied;
  }

  public static FieldOwnership of(HasMetadata object) {
    ObjectNode tree = ManifestJson.tree(object);
    List<Manager> managers = new ArrayList<>();
    for (JsonNode entry : tree.path("metadata").path("managedFields")) {
      // Status writers own status fields only; the spec is what we ask about.
      if (entry.path("subresource").asText("").isEmpty() && entry.path("fieldsV1").isObject()) {
        managers.add(
            new Manager(
                entry.path("manager").asText(""),
                "Apply".equals(entry.path("operation").asText()),
                entry.get("fieldsV1")));
      }
    }
    return new FieldOwnership(tree, List.copyOf(managers), lastApplied(tree));
  }

  /**
   * The configuration client-side apply last sent. An annotation that is not JSON tells nothing
   * about what was sent, so it is treated as absent (values then fall back to managedFields).
   */
  private static JsonNode lastApplied(JsonNode tree) {
    JsonNode text = tree.path("metadata").path("annotations").get(LAST_APPLIED);
    if (text == null || !text.isTextual()) {
      return null;
    }
    try {
      JsonNode parsed = JSON.readTree(text.asText());
      return parsed != null && parsed.isObject() ? parsed : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** True when the object carries managedFields, so ownership is known. */
  public boolean isRecorded() {
    return !managers.isEmpty();
  }

  /**
   * True when some field manager set this field, a field inside it, or an atomic field around it.
   */
  public boolean isManaged(FieldPath path) {
    return managers.stream().anyMatch(m -> owns(m.fields(), path));
  }

  /**
   * True when the named manager (with either operation) set this field, a field inside it, or
   * around it.
   */
  public boolean isOwnedBy(String manager, FieldPath path) {
    return managers.stream().anyMatch(m -> m.name().equals(manager) && owns(m.fields(), path));
  }

  /** The managers that own this field (or part of it), in managedFields order. */
  public List<String> managersOf(FieldPath path) {
    return managers.stream()
        .filter(m -> owns(m.fields(), path))
        .map(Manager::name)
        .distinct()
        .toList();
  }

  /**
   * True when a manager other than {@code except} owns this field (or part of it) through
   * server-side apply.
   */
  public boolean isAppliedByOtherThan(String except, FieldPath path) {
    return managers.stream()
        .anyMatch(m -> m.applies() && !m.name().equals(except) && owns(m.fields(), path));
  }

  /**
   * True when the field holds a value nobody chose: the API server defaulted it. That is a value no
   * manager owns, or one equal to the Kubernetes default that no Apply manager owns and that the
   * last-applied configuration does not contain (an Update manager owns defaults it never wrote).
   */
  public boolean isDefaulted(FieldPath path) {
    Optional<JsonNode> value = path.get(tree);
    if (!isRecorded() || value.isEmpty()) {
      return false;
    }
    if (!isManaged(path)) {
      return true;
    }
    JsonNode kubernetesDefault = KUBERNETES_DEFAULTS.get(path);
    if (kubernetesDefault == null || !JsonValues.same(value.get(), kubernetesDefault)) {
      return false;
    }
    boolean applied = managers.stream().anyMatch(m -> m.applies() && owns(m.fields(), path));
    boolean inLastApplied = lastApplied != null && path.get(lastApplied).isPresent();
    return !applied && !inLastApplied;
  }

  private boolean owns(JsonNode set, FieldPath path) {
    JsonNode node = set;
    JsonNode value = tree;
    for (FieldPath.Segment segment : path.segments()) {
      if (node.isObject() && node.isEmpty() && node != set) {
        return true; // a leaf or an atomic ancestor, owned as a whole
      }
      JsonNode valueChild = value == null ? null : childOf(value, segment);
      JsonNode next;
      if (segment.selects() && (value == null || value.isArray() || value.isMissingNode())) {
        next = listElement(node, value, valueChild, segment.name());
        if (next == null && (value == null || !value.isArray())) {
          next = node.get("f:" + segment.name()); // absent in the object: a map key, perhaps
        }
      } else {
        next = node.get("f:" + segment.name());
      }
      if (next == null) {
        return false;
      }
      node = next;
      value = valueChild;
    }
    return true;
  }

  private static JsonNode childOf(JsonNode value, FieldPath.Segment segment) {
    if (value.isArray()) {
      for (JsonNode element : value) {
        if (segment.name().equals(element.path("name").asText(null))) {
          return element;
        }
      }
      return null;
    }
    return value.isObject() ? value.get(segment.name()) : null;
  }

  /**
   * The set's entry for a list element: by merge keys, set value or index; by name when the element
   * is absent.
   */
  private static JsonNode listElement(JsonNode set, JsonNode list, JsonNode element, String name) {
    int index = indexOf(list, element);
    for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey();
      boolean matches;
      if (key.startsWith("k:")) {
        matches = keysMatch(parse(key.substring(2)), element, name);
      } else if (key.startsWith("v:")) {
        matches = element != null && JsonValues.same(parse(key.substring(2)), element);
      } else if (key.startsWith("i:")) {
        matches = index >= 0 && key.substring(2).equals(Integer.toString(index));
      } else {
        matches = false;
      }
      if (matches) {
        return entry.getValue();
      }
    }
    return null;
  }

  private static boolean keysMatch(JsonNode keys, JsonNode element, String name) {
    if (keys == null || !keys.isObject()) {
      return false;
    }
    if (element == null) {
      return keys.size() == 1 && name.equals(keys.path("name").asText(null));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> key = it.next();
      if (!JsonValues.same(key.getValue(), element.get(key.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(JsonNode list, JsonNode element) {
    if (list == null || element == null) {
      return -1;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == element) {
        return i;
      }
    }
    return -1;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return null; // a key this code cannot read matches nothing
    }
  }
}
