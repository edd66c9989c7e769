package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.rules.RealApiCorpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's managedFields entry without the containers' keys, as the real server serves it.
 */
class ContainerKeyReleaseTest {

  @Test
  void ourEntryLosesTheContainersKeysAndKeepsWhatWeSetInside() {
    Deployment served = RealApiCorpus.load("saferollout-hardened").deployment();
    List<ManagedFieldsEntry> owningKeys = withOurKeys(served.getMetadata().getManagedFields());

    List<ManagedFieldsEntry> released = ContainerKeyRelease.releasing(owningKeys).orElseThrow();

    String ours = fieldsOf(released, OperatorSettings.FIELD_MANAGER);
    assertThat(ours)
        .contains("k:{\\\"name\\\":\\\"web\\\"}", "f:readinessProbe", "f:preStop")
        .doesNotContain("f:name", "\".\"");
    assertThat(fieldsOf(released, "kubectl-client-side-apply"))
        .as("another manager's entry is untouched")
        .isEqualTo(fieldsOf(owningKeys, "kubectl-client-side-apply"));
    assertThat(ContainerKeyRelease.releasing(released)).as("nothing left to release").isEmpty();
  }

  @Test
  void aContainerWeOwnNothingElseInGoesWholeNotAsAnEmptySet() {
    ManagedFieldsEntry onlyTheKey =
        entry(
            Map.of(
                "f:metadata",
                Map.of("f:annotations", Map.of("f:saferollout.io/hardened-by", Map.of())),
                "f:spec",
                Map.of(
                    "f:template",
                    Map.of(
                        "f:spec",
                        Map.of(
                            "f:containers",
                            Map.of(
                                "k:{\"name\":\"app\"}",
                                Map.of(".", Map.of(), "f:name", Map.of())))))));

    List<ManagedFieldsEntry> released =
        ContainerKeyRelease.releasing(List.of(onlyTheKey)).orElseThrow();

    // An empty set would mean "owns the whole field": the emptied path goes up to the root.
    assertThat(Serialization.asJson(released.get(0).getFieldsV1()))
        .isEqualTo("{\"f:metadata\":{\"f:annotations\":{\"f:saferollout.io/hardened-by\":{}}}}");
  }

  @Test
  void anUpdateEntryOrAnotherManagersIsNeverRewritten() {
    Deployment served = RealApiCorpus.load("kubectl-client-side-apply").deployment();
    assertThat(ContainerKeyRelease.releasing(served.getMetadata().getManagedFields())).isEmpty();
    assertThat(ContainerKeyRelease.releasing(null)).isEmpty();
  }

  /** The served fixture as an apply before the release left it: our entry owning the keys too. */
  private static List<ManagedFieldsEntry> withOurKeys(List<ManagedFieldsEntry> entries) {
    List<ManagedFieldsEntry> result = new ArrayList<>();
    for (ManagedFieldsEntry e : entries) {
      if (e.getManager().equals(OperatorSettings.FIELD_MANAGER)) {
        String json =
            Serialization.asJson(e.getFieldsV1())
                .replace(
                    "\"k:{\\\"name\\\":\\\"web\\\"}\":{",
                    "\"k:{\\\"name\\\":\\\"web\\\"}\":{\".\":{},\"f:name\":{},");
        result.add(
            new ManagedFieldsEntryBuilder(e)
                .withFieldsV1(
                    Serialization.unmarshal(json, io.fabric8.kubernetes.api.model.FieldsV1.class))
                .build());
      } else {
        result.add(e);
      }
    }
    return result;
  }

  private static ManagedFieldsEntry entry(Map<String, Object> fields) {
    return new ManagedFieldsEntryBuilder()
        .withManager(OperatorSettings.FIELD_MANAGER)
        .withOperation("Apply")
        .withFieldsV1(
            Serialization.unmarshal(
                Serialization.asJson(fields), io.fabric8.kubernetes.api.model.FieldsV1.class))
        .build();
  }

  private static String fieldsOf(List<ManagedFieldsEntry> entries, String manager) {
    return entries.stream()
        .filter(e -> e.getManager().equals(manager))
        .map(e -> Serialization.asJson(e.getFieldsV1()))
        .findFirst()
        .orElseThrow();
  }
}
