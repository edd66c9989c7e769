package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's API server: the mock server's CRUD store, plus what a real API server does that the
 * store does not and that SafeRollout's behaviour depends on. For apps/v1 Deployments: server-side
 * apply ({@code application/apply-patch+yaml}, {@code fieldManager}, {@code force}) and {@code
 * managedFields} for Apply and Update writes ({@link FieldManager}), optional defaulting ({@link
 * DeploymentNormalization}), the handler-union validation ({@link DeploymentValidation}), and
 * status kept out of main-resource writes. For pods: the eviction subresource with
 * PodDisruptionBudgets ({@link PodEvictions}). Everything else goes to the store unchanged.
 *
 * <p>Deployment writes are serialized here, so each read-compute-write is atomic; the store's
 * resourceVersion check still rejects a stale client write with 409.
 */
public final class LabApiServer extends Dispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(LabApiServer.class);

  /** Whether Deployments are defaulted on write as a real API server does. */
  public enum Defaulting {
    /** Stored as sent: the lab's controllers read optional fields through their own defaults. */
    NONE,
    /**
     * SetDefaults_Deployment and the pod template defaults, zero values of omitempty ints dropped.
     */
    KUBERNETES
  }

  private static final Pattern DEPLOYMENTS =
      Pattern.compile(
          "^/apis/apps/v1/namespaces/([^/]+)/deployments(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");
  private static final Pattern EVICTION =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(?:\\?.*)?$");

  private final Dispatcher store;
  private final CrudStore crud;
  private final Defaulting defaulting;
  private final PodEvictions evictions;

  public LabApiServer(Dispatcher store, Defaulting defaulting) {
    this.store = Objects.requireNonNull(store, "store");
    this.crud = new CrudStore(store);
    this.defaulting = Objects.requireNonNull(defaulting, "defaulting");
    this.evictions = new PodEvictions(crud);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    try {
      Matcher eviction = EVICTION.matcher(request.getPath());
      if (eviction.matches() && method.equals("POST")) {
        return evictions.evict(eviction.group(1), eviction.group(2), request.getUtf8Body());
      }
      Matcher m = DEPLOYMENTS.matcher(request.getPath());
      if (m.matches() && !method.equals("GET") && !method.equals("DELETE") && m.group(3) == null) {
        return deploymentWrite(request, m.group(1), m.group(2), query(m.group(4)));
      }
    } catch (Json.BadRequest e) {
      return ApiStatus.badRequest(e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("lab API server failed on {} {}", method, request.getPath(), e);
      return ApiStatus.failure(500, "InternalError", e.toString(), null, null, List.of());
    }
    return store.dispatch(request);
  }

  @Override
  public void shutdown() {
    store.shutdown();
  }

  private synchronized MockResponse deploymentWrite(
      RecordedRequest request, String namespace, String name, Map<String, String> query) {
    // dryRun=All: the whole write is computed (merge, ownership, defaults, validation) and
    // answered, nothing stored; Argo CD's server-side diff asks exactly this.
    boolean dryRun = "All".equals(query.get("dryRun"));
    if (query.containsKey("dryRun") && !dryRun) {
      return ApiStatus.badRequest(
          "Invalid dry run value: " + query.get("dryRun") + "; the only one is All");
    }
    String collection = "/apis/apps/v1/namespaces/" + namespace + "/deployments";
    String manager = query.getOrDefault("fieldManager", defaultManager(request));
    String body = request.getUtf8Body();
    switch (request.getMethod()) {
      case "POST" -> {
        if (name != null) {
          return store.dispatch(request);
        }
        ObjectNode created = object(Json.read(body));
        created.remove("status");
        return write(
            null, FieldManager.update(null, normalized(created), manager), collection, 201, dryRun);
      }
      case "PUT" -> {
        JsonNode live = crud.get(collection + "/" + name);
        if (live == null) {
          return store.dispatch(request);
        }
        ObjectNode updated = object(Json.read(body));
        return update(live, updated, manager, collection + "/" + name, dryRun);
      }
      case "PATCH" -> {
        String contentType = request.getHeader("Content-Type");
        JsonNode live = crud.get(collection + "/" + name);
        if (contentType != null && contentType.toLowerCase().contains("apply-patch")) {
          return apply(live, Json.readYaml(body), query, name, collection, dryRun);
        }
        UpdatePatches.Type type = UpdatePatches.Type.of(contentType).orElse(null);
        if (type == null) {
          return ApiStatus.failure(
              415,
              "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types include: "
                  + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json",
              null,
              null,
              List.of());
        }
        if (live == null) {
          return notFound(name);
        }
        return update(
            live, UpdatePatches.patch(live, body, type), manager, collection + "/" + name, dryRun);
      }
      default -> {
        return store.dispatch(request);
      }
    }
  }

  private MockResponse apply(
      JsonNode live,
      JsonNode config,
      Map<String, String> query,
      String name,
      String collection,
      boolean dryRun) {
    String manager = query.get("fieldManager");
    if (manager == null || manager.isBlank()) {
      // apiserver handlers/patch.go: apply needs a manager name; the server never guesses one.
      return ApiStatus.failure(
          422,
          "Invalid",
          "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
          null,
          null,
          List.of(
              new ApiStatus.Cause(
                  "FieldValueRequired",
                  "Required value: is required for apply patch",
                  "fieldManager")));
    }
    if (!"Deployment".equals(config.path("kind").asText())
        || !"apps/v1".equals(config.path("apiVersion").asText())) {
      return ApiStatus.badRequest(
          "the apply body must be an apps/v1 Deployment, got "
              + config.path("apiVersion").asText("(no apiVersion)")
              + " "
              + config.path("kind").asText("(no kind)"));
    }
    if (!name.equals(config.path("metadata").path("name").asText())) {
      return ApiStatus.badRequest(
          "the name of the object ("
              + config.path("metadata").path("name").asText()
              + ") does not match the name on the URL ("
              + name
              + ")");
    }
    ObjectNode clean = config.deepCopy();
    clean.remove("status");
    if (clean.get("metadata") instanceof ObjectNode meta) {
      meta.remove(
          List.of("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"));
    }
    boolean force = "true".equals(query.get("force"));
    ObjectNode applied;
    try {
      applied = FieldManager.apply(live, clean, manager, force);
    } catch (FieldManager.ConflictException e) {
      List<ApiStatus.Cause> causes =
          e.conflicts().stream()
              .map(
                  c ->
                      new ApiStatus.Cause(
                          "FieldManagerConflict",
                          "conflict with " + c.ownerDisplay(),
                          FieldSet.display(c.path())))
              .toList();
      return ApiStatus.failure(409, "Conflict", e.getMessage(), "deployments", name, causes);
    }
    ObjectNode stored = normalized(applied);
    if (live != null && sameIgnoringTimes(live, stored)) {
      return ApiStatus.json(200, live);
    }
    return write(
        live,
        stored,
        live == null ? collection : collection + "/" + name,
        live == null ? 201 : 200,
        dryRun);
  }

  private MockResponse update(
      JsonNode live, ObjectNode updated, String manager, String path, boolean dryRun) {
    updated.set("status", live.get("status"));
    if (updated.get("status") == null || updated.get("status").isNull()) {
      updated.remove("status");
    }
    String precondition = updated.path("metadata").path("resourceVersion").asText("");
    if (!precondition.isEmpty()
        && !precondition.equals(live.path("metadata").path("resourceVersion").asText())) {
      return ApiStatus.failure(
          409,
          "Conflict",
          "Operation cannot be fulfilled on deployments.apps \""
              + live.path("metadata").path("name").asText()
              + "\": the object has been modified; please apply your changes to the latest version and try again",
          "deployments",
          live.path("metadata").path("name").asText(),
          List.of());
    }
    ObjectNode stored = FieldManager.update(live, normalized(updated), manager);
    return write(live, stored, path, 200, dryRun);
  }

  private MockResponse write(
      JsonNode live, ObjectNode object, String path, int successCode, boolean dryRun) {
    List<DeploymentValidation.FieldError> errors = DeploymentValidation.validate(object);
    String name = object.path("metadata").path("name").asText();
    if (!errors.isEmpty()) {
      // errors.NewInvalid: one error as is, several as a bracketed list (utilerrors.Aggregate).
      String details =
          String.join(", ", errors.stream().map(DeploymentValidation.FieldError::detail).toList());
      String message =
          "Deployment.apps \""
              + name
              + "\" is invalid: "
              + (errors.size() == 1 ? details : "[" + details + "]");
      return ApiStatus.failure(
          422,
          "Invalid",
          message,
          "Deployment",
          name,
          errors.stream()
              .map(e -> new ApiStatus.Cause(e.reason(), e.message(), e.field()))
              .toList());
    }
    if (dryRun) {
      return ApiStatus.json(successCode, object);
    }
    if (live == null) {
      MockResponse r = crud.post(path, object);
      return r.code() == 200 || r.code() == 201 ? r.setResponseCode(successCode) : r;
    }
    object
        .withObjectProperty("metadata")
        .put("resourceVersion", live.path("metadata").path("resourceVersion").asText());
    MockResponse r = crud.put(path, object);
    return r.code() == 200 ? r.setResponseCode(successCode) : r;
  }

  private ObjectNode normalized(ObjectNode object) {
    if (defaulting == Defaulting.KUBERNETES) {
      DeploymentNormalization.normalize(object);
    }
    return object;
  }

  private static boolean sameIgnoringTimes(JsonNode a, JsonNode b) {
    return Json.sameValue(withoutTimes(a), withoutTimes(b));
  }

  private static JsonNode withoutTimes(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    for (JsonNode e : copy.path("metadata").path("managedFields")) {
      ((ObjectNode) e).remove("time");
    }
    return copy;
  }

  private static ObjectNode object(JsonNode node) {
    if (!(node instanceof ObjectNode obj)) {
      throw new Json.BadRequest("the body must be a JSON object");
    }
    return obj;
  }

  private static MockResponse notFound(String name) {
    return ApiStatus.failure(
        404,
        "NotFound",
        "deployments.apps \"" + name + "\" not found",
        "deployments",
        name,
        List.of());
  }

  /**
   * A write without fieldManager is recorded under the client's User-Agent up to the first '/'
   * (apiserver endpoints/handlers/rest.go prefixFromUserAgent), e.g. "fabric8-kubernetes-client".
   */
  private static String defaultManager(RecordedRequest request) {
    String agent = request.getHeader("User-Agent");
    if (agent == null || agent.isBlank()) {
      return "unknown";
    }
    return agent.split("/", 2)[0];
  }

  private static Map<String, String> query(String query) {
    Map<String, String> out = new HashMap<>();
    if (query == null) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(key, value);
    }
    return out;
  }
}
