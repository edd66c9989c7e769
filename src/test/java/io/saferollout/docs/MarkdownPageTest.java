package io.saferollout.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MarkdownPageTest {

  @Test
  void anchorsFollowGitHubsSlugRules() {
    assertThat(MarkdownPage.slug("The lab's network")).isEqualTo("the-labs-network");
    assertThat(MarkdownPage.slug("Upgrading: the CRD is yours to apply"))
        .isEqualTo("upgrading-the-crd-is-yours-to-apply");
    assertThat(MarkdownPage.slug("`kubectl` plugin")).isEqualTo("kubectl-plugin");
    assertThat(MarkdownPage.slug("What the operator changes, and what it leaves"))
        .isEqualTo("what-the-operator-changes-and-what-it-leaves");
    assertThat(MarkdownPage.slug("See [the rules](rules.md) — SR001"))
        .isEqualTo("see-the-rules--sr001");
    assertThat(MarkdownPage.slug("pre_stop and 1.30+")).isEqualTo("pre_stop-and-130");
  }

  @Test
  void aRepeatedHeadingGetsANumberedAnchor() {
    MarkdownPage page = MarkdownPage.parse("# Usage\n\n## Usage\n\n### Usage\n");

    assertThat(page.anchors()).containsExactly("usage", "usage-1", "usage-2");
  }

  @Test
  void setextHeadingsAndHtmlAnchorsCount() {
    MarkdownPage page =
        MarkdownPage.parse("Title\n=====\n\nPart two\n---\n\n<a id=\"here\"></a>\n");

    assertThat(page.anchors()).containsExactly("title", "part-two", "here");
  }

  @Test
  void codeIsNotMarkdown() {
    MarkdownPage page =
        MarkdownPage.parse(
            "```bash\n# not a heading\n[not](a-link.md)\n```\n"
                + "Text `[not](a-link.md)` and [a link](real.md#part \"title\").\n"
                + "[ref]: other.md\n");

    assertThat(page.anchors()).isEmpty();
    assertThat(page.links())
        .extracting(MarkdownPage.Link::line, MarkdownPage.Link::target)
        .containsExactly(tuple(5, "real.md#part"), tuple(6, "other.md"));
  }

  @Test
  void aBrokenLinkSaysWhy() throws IOException {
    Path readme = Path.of("README.md");
    MarkdownPage page = MarkdownPage.parse("# Quick start\n");

    assertThat(DocumentationLinksTest.whyBroken(readme, page, "#quick-start")).isEmpty();
    assertThat(DocumentationLinksTest.whyBroken(readme, page, "https://example.com/x")).isEmpty();
    assertThat(DocumentationLinksTest.whyBroken(readme, page, "docs/lab.md")).isEmpty();
    assertThat(DocumentationLinksTest.whyBroken(readme, page, "#install"))
        .hasValueSatisfying(why -> assertThat(why).contains("no heading whose anchor is #install"));
    assertThat(DocumentationLinksTest.whyBroken(readme, page, "docs/nowhere.md"))
        .hasValueSatisfying(why -> assertThat(why).contains("docs/nowhere.md does not exist"));
    assertThat(DocumentationLinksTest.whyBroken(readme, page, "../elsewhere.md"))
        .hasValueSatisfying(why -> assertThat(why).contains("outside the repository"));
  }
}
