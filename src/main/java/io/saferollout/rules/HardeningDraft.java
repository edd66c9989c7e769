package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A Deployment being hardened: every rule reads the current state, and writes through here, so each
 * write is recorded as a {@link Change} and the plan's changes replay exactly to its result.
 */
final class HardeningDraft {
  private final ObjectNode tree;
  private final Mode mode;
  private final List<FieldPath> owned;
  private final FieldOwnership ownership;
  private final LiveTarget live;
  private final List<Change> changes = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  private final List<FieldPath> released = new ArrayList<>();
  private Deployment current;

  /** A draft for a manifest (a file, or a test standing in for the operator with owned paths). */
  HardeningDraft(Deployment original, Mode mode, Set<String> ownedPaths) {
    this(original, mode, ownedPaths, null);
  }

  /** A draft for a Deployment read from the cluster. */
  HardeningDraft(Deployment original, Mode mode, LiveTarget live) {
    this(original, mode, live.ownedPaths(), live);
  }

  private HardeningDraft(Deployment original, Mode mode, Set<String> ownedPaths, LiveTarget live) {
    Objects.requireNonNull(original, "deployment");
    Objects.requireNonNull(mode, "mode");
    DeploymentHardener.requireWellFormed(original);
    this.tree = ManifestJson.tree(original);
    this.mode = mode;
    this.owned =
        new ArrayList<>(
            ownedPaths == null ? List.of() : ownedPaths.stream().map(FieldPath::parse).toList());
    this.ownership = FieldOwnership.of(original);
    this.live = live;
    this.current = ManifestJson.read(tree, Deployment.class);
  }

  /** The live context, or empty when planning a manifest file. */
  Optional<LiveTarget> live() {
    return Optional.ofNullable(live);
  }

  /** The Deployment with every change so far; do not modify it. */
  Deployment current() {
    if (current == null) {
      current = ManifestJson.read(tree, Deployment.class);
    }
    return current;
  }

  Mode mode() {
    return mode;
  }

  Optional<JsonNode> get(FieldPath path) {
    return path.get(tree);
  }

  /** True when SafeRollout set this field (or a field containing it) earlier: not a user value. */
  boolean owns(FieldPath path) {
    return owned.stream().anyMatch(path::isWithin);
  }

  /**
   * True when SafeRollout owns the field and it was absent before SafeRollout set it, so the whole
   * value is SafeRollout's (rather than a user's value SafeRollout added to).
   */
  boolean created(FieldPath path) {
    if (!owns(path)) {
      return false;
    }
    return live == null
        || live.recorded().stream()
            .filter(c -> c.field().equals(path))
            .findFirst()
            .map(c -> c.before() == null)
            .orElse(true);
  }

  /** True when the field held a value the API server defaulted, not one anybody chose. */
  boolean defaulted(FieldPath path) {
    return ownership.isDefaulted(path);
  }

  void change(Rule rule, FieldPath path, JsonNode newValue, String reason) {
    JsonNode old = path.get(tree).orElse(null);
    // Compared as served: a value read back from an API server lacks the zeros that were written
    // and carries its defaults, and rewriting it would be a patch (and a rollout) for nothing.
    if (JsonValues.sameAsServed(newValue, old)) {
      return;
    }
    changes.add(
        new Change(
            rule,
            path,
            old == null ? null : old.deepCopy(),
            newValue == null ? null : newValue.deepCopy(),
            reason));
    path.set(tree, newValue == null ? null : newValue.deepCopy());
    current = null;
  }

  /**
   * Makes {@code path} hold {@code desired} when the mode allows: a missing field, a defaulted one,
   * or one SafeRollout owns is always set; a user's value is kept when {@code isSafe} accepts it,
   * replaced in Enforce mode, and otherwise kept and reported as {@code unsafe}.
   */
  void settle(
      Rule rule,
      FieldPath path,
      JsonNode desired,
      Predicate<JsonNode> isSafe,
      String reason,
      String unsafeMessage) {
    Optional<JsonNode> now = get(path);
    if (now.isPresent() && JsonValues.same(now.get(), desired)) {
      return;
    }
    if (now.isEmpty() || owns(path) || defaulted(path)) {
      change(rule, path, desired, reason);
    } else if (isSafe.test(now.get())) {
      return;
    } else if (mode == Mode.Enforce) {
      change(rule, path, desired, reason);
    } else {
      find(rule, path, unsafeMessage);
    }
  }

  /**
   * Gives up SafeRollout's claim on {@code path}: from here on its value is the user's. With
   * server-side apply the operator then leaves the field out of its apply body, which releases it.
   */
  void release(FieldPath path) {
    owned.removeIf(p -> p.isWithin(path) || path.isWithin(p));
    released.add(path);
  }

  void find(Rule rule, FieldPath path, String message) {
    findings.add(new Finding(rule, path.toString(), message, rule.fix()));
  }

  void find(Rule rule, FieldPath path, String message, String remedy) {
    findings.add(new Finding(rule, path.toString(), message, remedy));
  }

  HardeningPlan plan() {
    return new HardeningPlan(current(), changes, findings, released);
  }
}
