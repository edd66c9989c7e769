package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.saferollout.rules.Rule;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SARIF output, validated against src/test/resources/sarif/sarif-2.1.0-subset.schema.json. That
 * schema is a faithful SUBSET written from the SARIF 2.1.0 specification for the objects and
 * properties lint emits, not the official OASIS schema file (which could not be obtained here); its
 * description says what it covers.
 */
class SarifOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @BeforeAll
  static void loadSchema() throws Exception {
    try (InputStream in =
        SarifOutputTest.class.getResourceAsStream("/sarif/sarif-2.1.0-subset.schema.json")) {
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in, config);
    }
  }

  private static JsonNode sarif(String... paths) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("lint", "--format", "sarif", "--min-severity", "INFO"));
    args.addAll(List.of(paths));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.err()).isEmpty();
    return JSON.readTree(run.out());
  }

  @Test
  void sarifOfTheWholeCorpusIsValid() throws Exception {
    JsonNode log =
        sarif(
            LintCommandTest.CORPUS + "naive.yaml",
            LintCommandTest.CORPUS + "helm-rendered.yaml",
            LintCommandTest.CORPUS + "list.yaml",
            LintCommandTest.CORPUS + "multi-container.yaml",
            LintCommandTest.CORPUS + "istio.yaml",
            LintCommandTest.CORPUS + "deployment.json");

    Set<ValidationMessage> errors = schema.validate(log);
    assertThat(errors).isEmpty();
    assertThat(log.at("/runs/0/results").size()).isGreaterThan(20);
  }

  @Test
  void theSchemaRejectsWhatSarifForbids() throws Exception {
    // Guards the guard: a validator that accepted anything would make the test above worthless.
    ObjectNode log = (ObjectNode) sarif(LintCommandTest.CORPUS + "naive.yaml");
    ((ObjectNode) log.at("/runs/0/results/0/locations/0/physicalLocation/region"))
        .put("startLine", 0);
    ((ObjectNode) log.at("/runs/0/results/1")).remove("message");
    ((ObjectNode) log.at("/runs/0/results/2")).put("level", "fatal");
    assertThat(schema.validate(log)).hasSize(3);
  }

  @Test
  void rulesComeFromTheCatalogueAndResultsPointAtTheirLines() throws Exception {
    JsonNode log = sarif(LintCommandTest.CORPUS + "naive.yaml");
    JsonNode rules = log.at("/runs/0/tool/driver/rules");
    for (Rule rule : Rule.values()) {
      JsonNode descriptor = rules.get(rule.ordinal());
      assertThat(descriptor.get("id").asText()).isEqualTo(rule.id());
      assertThat(descriptor.at("/shortDescription/text").asText()).isEqualTo(rule.title());
      assertThat(descriptor.at("/fullDescription/text").asText()).isEqualTo(rule.whatFails());
      assertThat(descriptor.at("/help/text").asText()).isEqualTo(rule.fix());
    }
    JsonNode sr001 = null;
    for (JsonNode result : log.at("/runs/0/results")) {
      assertThat(rules.get(result.get("ruleIndex").asInt()).get("id").asText())
          .isEqualTo(result.get("ruleId").asText());
      if (result.get("ruleId").asText().equals("SR001")) {
        sr001 = result;
      }
    }
    assertThat(sr001).isNotNull();
    assertThat(sr001.get("level").asText()).isEqualTo("error");
    JsonNode physical = sr001.at("/locations/0/physicalLocation");
    assertThat(physical.at("/artifactLocation/uri").asText())
        .isEqualTo("src/test/resources/manifests/naive.yaml");
    // Line 17 is the container the missing readinessProbe belongs in.
    assertThat(physical.at("/region/startLine").asInt()).isEqualTo(17);
  }

  @Test
  void notesForUncoveredKindsAreResultsWithTheirOwnDescriptor() throws Exception {
    JsonNode log = sarif(LintCommandTest.CORPUS + "helm-rendered.yaml");
    JsonNode note = null;
    for (JsonNode result : log.at("/runs/0/results")) {
      if (result.get("ruleId").asText().equals("uncovered-kind")) {
        note = result;
      }
    }
    assertThat(note).isNotNull();
    assertThat(note.get("level").asText()).isEqualTo("note");
    assertThat(note.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(53);
    assertThat(
            log.at("/runs/0/tool/driver/rules")
                .get(note.get("ruleIndex").asInt())
                .get("id")
                .asText())
        .isEqualTo("uncovered-kind");
  }
}
