package io.saferollout.lab.cluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** structured-merge-diff's Apply and Update bookkeeping, as pure functions over JSON. */
class FieldManagerTest {

  private static ObjectNode json(String text) {
    return (ObjectNode) Json.read(text.replace('\'', '"'));
  }

  private static FieldSet owned(JsonNode object, String manager, ManagedFields.Operation op) {
    return ManagedFields.of(object).fieldsOf(new ManagedFields.Manager(manager, op));
  }

  private static final List<String> REPLICAS = List.of("f:spec", "f:replicas");
  private static final List<String> IMAGE =
      List.of("f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}", "f:image");

  private static final String DEPLOYMENT =
      """
            {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},
             'spec':{'replicas':%d,'template':{'spec':{'containers':[{'name':'web','image':'%s'}]}}}}""";

  @Test
  void fieldsV1RoundTripMarksMembersThatHaveChildren() {
    FieldSet set =
        new FieldSet(
            List.of(
                List.of("f:metadata", "f:labels"),
                List.of("f:metadata", "f:labels", "f:app"),
                List.of("f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}"),
                IMAGE));

    ObjectNode v1 = set.toFieldsV1();

    assertThat(v1.at("/f:metadata/f:labels").has(".")).isTrue();
    assertThat(v1.at("/f:spec/f:template/f:spec/f:containers").get("k:{\"name\":\"web\"}").has("."))
        .isTrue();
    assertThat(FieldSet.fromFieldsV1(v1)).isEqualTo(set);
  }

  @Test
  void aCreateOwnsEverythingItWroteAndALaterUpdateTakesWhatItChanges() {
    ObjectNode created = FieldManager.update(null, json(DEPLOYMENT.formatted(2, "web:1")), "helm");
    assertThat(owned(created, "helm", ManagedFields.Operation.Update).paths())
        .contains(
            REPLICAS,
            IMAGE,
            List.of("f:metadata", "f:labels"),
            List.of("f:metadata", "f:labels", "f:app"));

    ObjectNode edited =
        FieldManager.update(created, json(DEPLOYMENT.formatted(2, "web:2")), "kubectl-edit");
    assertThat(owned(edited, "kubectl-edit", ManagedFields.Operation.Update).paths())
        .containsExactly(IMAGE);
    assertThat(owned(edited, "helm", ManagedFields.Operation.Update).contains(IMAGE)).isFalse();
    assertThat(owned(edited, "helm", ManagedFields.Operation.Update).contains(REPLICAS)).isTrue();
  }

  @Test
  void conflictsWithSeveralManagersAreListedByManager() {
    ObjectNode applied =
        FieldManager.apply(null, json(DEPLOYMENT.formatted(2, "web:1")), "helm", false);
    ObjectNode live = FieldManager.update(applied, json(DEPLOYMENT.formatted(3, "web:1")), "hpa");

    assertThatThrownBy(
            () -> FieldManager.apply(live, json(DEPLOYMENT.formatted(5, "web:9")), "argocd", false))
        .isInstanceOfSatisfying(
            FieldManager.ConflictException.class,
            e -> {
              assertThat(e.conflicts()).hasSize(2);
              assertThat(e.getMessage())
                  .startsWith(
                      "Apply failed with 2 conflicts: conflicts with \"helm\":\n"
                          + "- .spec.template.spec.containers[name=\"web\"].image\nconflicts with \"hpa\" using apps/v1 at ");
              assertThat(e.getMessage()).endsWith(":\n- .spec.replicas");
            });
  }

  @Test
  void finalizersAreASetEachValueOwnedOnItsOwn() {
    ObjectNode live =
        FieldManager.apply(
            null,
            json(
                "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','finalizers':['a']}}"),
            "one",
            false);
    ObjectNode both =
        FieldManager.apply(
            live,
            json(
                "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','finalizers':['b']}}"),
            "two",
            false);

    assertThat(both.at("/metadata/finalizers")).hasSize(2);
    assertThat(owned(both, "two", ManagedFields.Operation.Apply).paths())
        .containsExactly(List.of("f:metadata", "f:finalizers", "v:\"b\""));
  }

  @Test
  void valuesCompareByMeaningSoAnIntAndALongAreOneValue() {
    ObjectNode live =
        FieldManager.apply(null, json(DEPLOYMENT.formatted(2, "web:1")), "helm", false);
    ObjectNode sameAsDouble =
        json(DEPLOYMENT.formatted(2, "web:1").replace("'replicas':2", "'replicas':2.0"));

    ObjectNode after = FieldManager.apply(live, sameAsDouble, "argocd", false);
    assertThat(owned(after, "helm", ManagedFields.Operation.Apply).contains(REPLICAS)).isTrue();
    assertThat(owned(after, "argocd", ManagedFields.Operation.Apply).contains(REPLICAS)).isTrue();
  }

  @Test
  void aReleasedElementAnotherManagerAddedToStaysWithItsKeyAndTheirFieldsOnly() {
    String two =
        """
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'template':{'spec':{'containers':[
                 {'name':'web','image':'web:1'},{'name':'proxy','image':'envoy:1'}]}}}}""";
    ObjectNode live = FieldManager.apply(null, json(two), "helm", false);
    live =
        FieldManager.apply(
            live,
            json(
                """
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'template':{'spec':{'containers':[
                 {'name':'proxy','lifecycle':{'preStop':{'sleep':{'seconds':5}}}}]}}}}"""),
            "saferollout",
            false);

    ObjectNode released =
        FieldManager.apply(live, json(DEPLOYMENT.formatted(1, "web:1")), "helm", false);

    // structured-merge-diff's prune adds back what another manager owns: the element survives
    // with its key and the other manager's fields, without the image only the releaser owned.
    JsonNode proxy = released.at("/spec/template/spec/containers/1");
    assertThat(proxy.path("name").asText()).isEqualTo("proxy");
    assertThat(proxy.has("image")).isFalse();
    assertThat(proxy.at("/lifecycle/preStop/sleep/seconds").asInt()).isEqualTo(5);
  }
}
