package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.TargetRef;
import io.saferollout.rules.Change;
import io.saferollout.rules.Rule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's own pure decisions, without a server. */
class OperatorDecisionsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theRecordKeepsTheUsersOriginalValueAcrossRepeatedChanges() {
    Rule rule = Rule.values()[0];
    List<Change> first = List.of(Change.fromText(rule, "spec.minReadySeconds", null, "5", "r"));
    List<Change> again =
        AppliedChangesRecord.merge(
            first, List.of(Change.fromText(rule, "spec.minReadySeconds", "5", "7", "r")));
    assertThat(again)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.oldValue()).isNull();
              assertThat(c.newValue()).isEqualTo("7");
            });
    assertThat(
            AppliedChangesRecord.merge(
                again, List.of(Change.fromText(rule, "spec.minReadySeconds", "7", null, "r"))))
        .as("a field set back to its original value leaves the record")
        .isEmpty();
  }

  @Test
  void theRecordRoundTripsThroughItsAnnotation() {
    Rule rule = Rule.values()[0];
    List<Change> changes =
        List.of(
            Change.fromText(
                rule, "spec.template.spec.containers[web].readinessProbe", null, "{\"x\":1}", "r"));
    var d = OperatorHarness.deployment("web", Map.of());
    d.getMetadata()
        .setAnnotations(
            Map.of(AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(changes)));
    assertThat(AppliedChangesRecord.read(d))
        .extracting(Change::path, Change::newValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.template.spec.containers[web].readinessProbe", "{\"x\":1}"));
    d.getMetadata().setAnnotations(Map.of(AppliedChangesRecord.ANNOTATION, "{not json"));
    assertThat(AppliedChangesRecord.read(d)).as("a damaged record is ignored, not fatal").isEmpty();
  }

  @Test
  void aSelectorTargetIsSummarisedAsKubectlWouldTakeIt() {
    var sel =
        new LabelSelectorBuilder()
            .withMatchLabels(Map.of("tier", "front", "app", "shop"))
            .withMatchExpressions(
                new LabelSelectorRequirementBuilder()
                    .withKey("env")
                    .withOperator("NotIn")
                    .withValues("dev")
                    .build())
            .build();
    assertThat(TargetSelection.describe(sel)).isEqualTo("app=shop,tier=front,env NotIn [dev]");
  }

  @Test
  void theOldestClaimOwnsADeployment() {
    var d = OperatorHarness.deployment("web", Map.of());
    SafeRollout older = OperatorHarness.safeRollout("b-older", TargetRef.byName("web"));
    older.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
    SafeRollout newer = OperatorHarness.safeRollout("a-newer", TargetRef.byName("web"));
    newer.getMetadata().setCreationTimestamp("2026-01-02T00:00:00Z");
    assertThat(TargetSelection.owner(d, List.of(newer, older))).contains(older);
  }
}
