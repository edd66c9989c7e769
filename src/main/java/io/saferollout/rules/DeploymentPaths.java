package io.saferollout.rules;

/** Paths of the Deployment fields the rules read and write. */
final class DeploymentPaths {
  static final FieldPath SPEC = FieldPath.parse("spec");
  static final FieldPath REPLICAS = SPEC.field("replicas");
  static final FieldPath MIN_READY_SECONDS = SPEC.field("minReadySeconds");
  static final FieldPath PROGRESS_DEADLINE_SECONDS = SPEC.field("progressDeadlineSeconds");
  static final FieldPath STRATEGY_TYPE = SPEC.field("strategy").field("type");
  static final FieldPath ROLLING_UPDATE = SPEC.field("strategy").field("rollingUpdate");
  static final FieldPath MAX_UNAVAILABLE = ROLLING_UPDATE.field("maxUnavailable");
  static final FieldPath MAX_SURGE = ROLLING_UPDATE.field("maxSurge");
  static final FieldPath TEMPLATE_LABELS = FieldPath.parse("spec.template.metadata.labels");
  static final FieldPath TEMPLATE_ANNOTATIONS =
      FieldPath.parse("spec.template.metadata.annotations");
  static final FieldPath POD_SPEC = FieldPath.parse("spec.template.spec");
  static final FieldPath GRACE_PERIOD = POD_SPEC.field("terminationGracePeriodSeconds");
  static final FieldPath AFFINITY = POD_SPEC.field("affinity");

  private DeploymentPaths() {}

  static FieldPath container(String name) {
    return POD_SPEC.field("containers").select(name);
  }

  static FieldPath initContainer(String name) {
    return POD_SPEC.field("initContainers").select(name);
  }

  static FieldPath readinessProbe(String container) {
    return container(container).field("readinessProbe");
  }

  static FieldPath preStop(String container) {
    return container(container).field("lifecycle").field("preStop");
  }

  static FieldPath annotation(String key) {
    return TEMPLATE_ANNOTATIONS.select(key);
  }
}
