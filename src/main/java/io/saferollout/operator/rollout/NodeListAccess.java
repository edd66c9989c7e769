package io.saferollout.operator.rollout;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Whether this operator may list Nodes, asked with a SelfSubjectAccessReview (which every
 * authenticated user may create) before listing them. A namespaced install (the chart's
 * watchNamespaces) has no grant for this cluster-scoped resource; asking first means it never sends
 * a request the API server refuses, since a 403 on every rollout or capabilities refresh would fill
 * audit logs and alerts on forbidden requests.
 */
public final class NodeListAccess {

  /** UNKNOWN when the review cannot be made or has no answer: then the list is simply tried. */
  public enum Answer {
    ALLOWED,
    DENIED,
    UNKNOWN
  }

  private final KubernetesClient client;

  public NodeListAccess(KubernetesClient client) {
    this.client = client;
  }

  public Answer ask() {
    try {
      SelfSubjectAccessReview review =
          client
              .authorization()
              .v1()
              .selfSubjectAccessReview()
              .create(
                  new SelfSubjectAccessReviewBuilder()
                      .withNewSpec()
                      .withNewResourceAttributes()
                      .withVerb("list")
                      .withResource("nodes")
                      .endResourceAttributes()
                      .endSpec()
                      .build());
      if (review == null || review.getStatus() == null || review.getStatus().getAllowed() == null) {
        return Answer.UNKNOWN;
      }
      return review.getStatus().getAllowed() ? Answer.ALLOWED : Answer.DENIED;
    } catch (KubernetesClientException e) {
      return Answer.UNKNOWN;
    }
  }
}
