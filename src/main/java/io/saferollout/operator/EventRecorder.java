package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.saferollout.api.SafeRollout;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a SafeRollout: what `kubectl describe sr` shows a person. Each Event is an
 * API write, so callers send one summary per reconcile rather than one per change.
 */
final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "saferollout-operator";

  enum Type {
    Normal,
    Warning
  }

  private final KubernetesClient client;

  EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  void record(SafeRollout sr, Type type, EventReason reason, String message) {
    String now = Instant.now().toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withNamespace(sr.getMetadata().getNamespace())
            .withName(
                sr.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(sr.getApiVersion())
                    .withKind(sr.getKind())
                    .withName(sr.getMetadata().getName())
                    .withNamespace(sr.getMetadata().getNamespace())
                    .withUid(sr.getMetadata().getUid())
                    .withResourceVersion(sr.getMetadata().getResourceVersion())
                    .build())
            .withType(type.name())
            .withReason(reason.name())
            // The API server caps event messages at 1 KiB; the status holds the full story.
            .withMessage(message.length() > 1000 ? message.substring(0, 996) + " ..." : message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      client.v1().events().inNamespace(sr.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // Events are best effort: losing one must never fail a reconcile that already patched.
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          sr.getMetadata().getNamespace(),
          sr.getMetadata().getName(),
          e.getMessage());
    }
  }
}
