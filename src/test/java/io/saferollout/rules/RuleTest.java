package io.saferollout.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleTest {
  @Test
  void idsAreStableNumberedInOrder() {
    List<String> ids = Arrays.stream(Rule.values()).map(Rule::id).toList();
    for (int i = 0; i < ids.size(); i++) {
      assertThat(ids.get(i)).isEqualTo(String.format("SR%03d", i + 1));
    }
  }

  @Test
  void everyRuleExplainsWhatFailsAndHowToFixIt() {
    for (Rule rule : Rule.values()) {
      assertThat(rule.title()).as(rule.id()).isNotBlank().doesNotContain("\n");
      assertThat(rule.whatFails()).as(rule.id()).isNotBlank().endsWith(".");
      assertThat(rule.fix()).as(rule.id()).isNotBlank();
      assertThat(rule.severity()).as(rule.id()).isNotNull();
    }
  }

  @Test
  void looksRulesUpById() {
    assertThat(Rule.byId("SR005")).contains(Rule.SR005);
    assertThat(Rule.byId(" sr005 ")).contains(Rule.SR005);
    assertThat(Rule.byId("SR999")).isEmpty();
    assertThat(Rule.byId(null)).isEmpty();
  }

  @Test
  void theArticlesTwoFailureMomentsAreErrors() {
    assertThat(Rule.SR001.severity()).isEqualTo(Severity.ERROR);
    assertThat(Rule.SR005.severity()).isEqualTo(Severity.ERROR);
    assertThat(Rule.SR002.severity()).isEqualTo(Severity.INFO);
  }

  @Test
  void findingTakesItsSeverityAndDefaultRemedyFromTheRule() {
    Finding f = new Finding(Rule.SR015, "spec.replicas", "one replica", null);
    assertThat(f.severity()).isEqualTo(Severity.WARNING);
    assertThat(f.remedy()).isEqualTo(Rule.SR015.fix());
  }
}
