package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the API server's Deployment validation that merged ownership can break
 * (pkg/apis/core/validation/validation.go): a probe or lifecycle handler is a union, and {@code
 * validateHandler}/{@code validateLifecycleHandler} forbid a second member with "may not specify
 * more than 1 handler type". Two field managers that each own one member of the same handler
 * produce exactly that object, and every later write is rejected with 422.
 */
final class DeploymentValidation {

  private static final List<String> PROBE_HANDLERS =
      List.of("exec", "httpGet", "tcpSocket", "grpc");
  private static final List<String> LIFECYCLE_HANDLERS =
      List.of("exec", "httpGet", "tcpSocket", "sleep");

  private DeploymentValidation() {}

  /** A field error as the API server reports it in a Status cause. */
  record FieldError(String field, String reason, String message) {
    String detail() {
      return field + ": " + message;
    }
  }

  static List<FieldError> validate(JsonNode deployment) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    for (String list : List.of("initContainers", "containers")) {
      JsonNode containers = pod.path(list);
      for (int i = 0; i < containers.size(); i++) {
        String at = "spec.template.spec." + list + "[" + i + "]";
        JsonNode c = containers.get(i);
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
          oneHandler(c.get(probe), PROBE_HANDLERS, at + "." + probe, errors);
        }
        for (String hook : List.of("postStart", "preStop")) {
          JsonNode handler = c.path("lifecycle").get(hook);
          oneHandler(handler, LIFECYCLE_HANDLERS, at + ".lifecycle." + hook, errors);
          if (handler != null
              && handler.isObject()
              && LIFECYCLE_HANDLERS.stream().noneMatch(handler::has)) {
            errors.add(
                new FieldError(
                    at + ".lifecycle." + hook,
                    "FieldValueRequired",
                    "Required value: must specify a handler type"));
          }
        }
      }
    }
    return errors;
  }

  private static void oneHandler(
      JsonNode handler, List<String> members, String at, List<FieldError> errors) {
    if (handler == null || !handler.isObject()) {
      return;
    }
    int seen = 0;
    for (String member : members) {
      if (handler.hasNonNull(member)) {
        seen++;
        if (seen > 1) {
          // validation.go reports the second handler it meets, in this member order.
          errors.add(
              new FieldError(
                  at + "." + member,
                  "FieldValueForbidden",
                  "Forbidden: may not specify more than 1 handler type"));
        }
      }
    }
  }
}
