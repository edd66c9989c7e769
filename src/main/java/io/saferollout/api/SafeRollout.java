package io.saferollout.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A SafeRollout makes every rollout of its target Deployment(s) lose zero requests: it hardens the
 * pod template (readiness, preStop, grace period, strategy, sidecar ordering) and reports what it
 * did and what it could not fix. This class, with {@link SafeRolloutSpec} and {@link
 * SafeRolloutStatus}, is the single source of truth for the CRD in {@code crd/}.
 */
@Group(SafeRollout.GROUP)
@Version(SafeRollout.VERSION)
@Kind("SafeRollout")
@Plural("saferollouts")
@Singular("saferollout")
@ShortNames("sr")
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".status.targetSummary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Mode",
    jsonPath = ".spec.mode",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class SafeRollout extends CustomResource<SafeRolloutSpec, SafeRolloutStatus>
    implements Namespaced {
  public static final String GROUP = "saferollout.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CRD_NAME = "saferollouts." + GROUP;

  @Override
  protected SafeRolloutSpec initSpec() {
    return new SafeRolloutSpec();
  }

  /** A new SafeRollout carries no status: only the operator writes it, through /status. */
  @Override
  protected SafeRolloutStatus initStatus() {
    return null;
  }
}
