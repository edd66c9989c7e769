package io.saferollout.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every relative link in the project's pages resolves: the file or directory exists in the
 * repository, and a {@code #anchor} names a heading of the Markdown page it points into, by
 * GitHub's slug rules. Links to other sites are not followed.
 */
class DocumentationLinksTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  /** The front page, CONTRIBUTING.md, docs/ and the READMEs of deploy/ and operator/. */
  static Stream<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    try (Stream<Path> top = Files.list(ROOT)) {
      top.filter(DocumentationLinksTest::isMarkdown).sorted().forEach(pages::add);
    }
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(DocumentationLinksTest::isMarkdown).sorted().forEach(pages::add);
    }
    for (String readme : List.of("deploy/README.md", "operator/README.md")) {
      pages.add(ROOT.resolve(readme));
    }
    return pages.stream().map(ROOT::relativize);
  }

  @ParameterizedTest
  @MethodSource("pages")
  void everyRelativeLinkAndAnchorResolves(Path page) throws IOException {
    MarkdownPage markdown = MarkdownPage.parse(Files.readString(page));
    List<String> broken = new ArrayList<>();
    for (MarkdownPage.Link link : markdown.links()) {
      whyBroken(page, markdown, link.target())
          .ifPresent(
              why -> broken.add(page + ":" + link.line() + ": " + link.target() + " — " + why));
    }
    assertThat(broken).as("broken links in %s", page).isEmpty();
  }

  /** Empty when the link resolves; else what is wrong with it. */
  static Optional<String> whyBroken(Path page, MarkdownPage markdown, String target)
      throws IOException {
    if (target.isEmpty()) {
      return Optional.of("the link has no target");
    }
    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || target.startsWith("//")) {
      return Optional.empty();
    }
    int hash = target.indexOf('#');
    String path =
        URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved =
        path.isEmpty()
            ? page
            : (path.startsWith("/") ? Path.of(path.substring(1)) : page.resolveSibling(path))
                .normalize();
    if (resolved.startsWith("..")) {
      return Optional.of(resolved + " is outside the repository");
    }
    if (!Files.exists(resolved)) {
      return Optional.of(resolved + " does not exist");
    }
    if (anchor == null || !isMarkdown(resolved)) {
      return Optional.empty();
    }
    MarkdownPage into =
        resolved.equals(page) ? markdown : MarkdownPage.parse(Files.readString(resolved));
    if (into.anchors().contains(anchor)) {
      return Optional.empty();
    }
    return Optional.of(
        resolved
            + " has no heading whose anchor is #"
            + anchor
            + " (its anchors: "
            + into.anchors()
            + ")");
  }

  private static boolean isMarkdown(Path path) {
    return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".md");
  }
}
