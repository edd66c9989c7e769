package io.saferollout.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Turns the paths a user names into manifest files: files as given, directories searched
 * recursively for {@code *.yaml}, {@code *.yml} and {@code *.json} in name order (so output is
 * stable between runs), and {@code -} for standard input.
 */
public final class ManifestInputs {
  private ManifestInputs() {}

  /**
   * @throws IllegalArgumentException naming the path that does not exist or cannot be read
   */
  public static List<ManifestSource> expand(List<String> paths) {
    List<ManifestSource> sources = new ArrayList<>();
    for (String given : paths) {
      if (given.equals("-")) {
        sources.add(ManifestSource.stdin());
        continue;
      }
      Path path = Path.of(given);
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(Files::isRegularFile)
              .filter(ManifestInputs::isManifestName)
              .sorted()
              .forEach(p -> sources.add(ManifestSource.file(p)));
        } catch (IOException | UncheckedIOException e) {
          throw new IllegalArgumentException(
              given + ": cannot list the directory: " + e.getMessage(), e);
        }
      } else if (Files.isRegularFile(path)) {
        if (!Files.isReadable(path)) {
          throw new IllegalArgumentException(given + ": permission denied");
        }
        sources.add(ManifestSource.file(path));
      } else {
        throw new IllegalArgumentException(given + ": no such file or directory");
      }
    }
    return sources;
  }

  public static ManifestFile read(ManifestSource source, InputStream stdin) {
    String text;
    try {
      text =
          source.isStdin()
              ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(source.path(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(source.name() + ": cannot be read: " + e.getMessage(), e);
    }
    return ManifestReader.read(source, text);
  }

  private static boolean isManifestName(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }
}
