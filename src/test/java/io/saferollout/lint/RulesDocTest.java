package io.saferollout.lint;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.rules.Rule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/rules.md is generated from the Rule catalogue. This fails when the checked-in page is stale;
 * {@code ./mvnw -B -q test -Dtest=RulesDocTest -Ddocs.update=true} rewrites it.
 */
class RulesDocTest {
  private static final Path PAGE = Path.of("docs/rules.md");

  @Test
  void checkedInRulesPageMatchesTheCatalogue() throws Exception {
    String expected = RulesDoc.markdown();
    if (Boolean.getBoolean("docs.update")) {
      Files.createDirectories(PAGE.getParent());
      Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
    }
    assertThat(PAGE).as("docs/rules.md is missing; run with -Ddocs.update=true").exists();
    assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
        .as("docs/rules.md is stale: rerun with -Ddocs.update=true and commit it")
        .isEqualTo(expected);
  }

  @Test
  void everyRuleHasASectionWithItsTextsFromTheCatalogue() {
    String page = RulesDoc.markdown();
    for (Rule rule : Rule.values()) {
      assertThat(page)
          .contains("\n## " + rule.id() + "\n")
          .contains(rule.title())
          .contains(rule.whatFails())
          .contains(rule.fix());
    }
  }
}
