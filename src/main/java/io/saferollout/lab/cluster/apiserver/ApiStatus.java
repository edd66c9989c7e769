package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;

/** metav1.Status bodies, shaped as k8s.io/apimachinery/pkg/api/errors builds them. */
final class ApiStatus {

  record Cause(String reason, String message, String field) {}

  private ApiStatus() {}

  static MockResponse failure(
      int code, String reason, String message, String kind, String name, List<Cause> causes) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    ObjectNode details = status.putObject("details");
    if (name != null) {
      details.put("name", name);
    }
    if (kind != null) {
      details.put("group", kind.equals("pods") ? "" : "apps");
      details.put("kind", kind);
    }
    if (!causes.isEmpty()) {
      ArrayNode list = details.putArray("causes");
      for (Cause c : causes) {
        ObjectNode cause = list.addObject();
        cause.put("reason", c.reason());
        cause.put("message", c.message());
        if (c.field() != null) {
          cause.put("field", c.field());
        }
      }
    }
    status.put("code", code);
    return json(code, status);
  }

  static MockResponse success(int code) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    status.put("code", code);
    return json(code, status);
  }

  static MockResponse json(int code, com.fasterxml.jackson.databind.JsonNode body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(Json.write(body));
  }

  static MockResponse badRequest(String message) {
    return failure(400, "BadRequest", message, null, null, List.of());
  }
}
