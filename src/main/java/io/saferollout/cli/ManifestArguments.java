package io.saferollout.cli;

import io.saferollout.manifest.MalformedManifestException;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.manifest.ManifestInputs;
import io.saferollout.manifest.ManifestSource;
import java.io.InputStream;
import java.util.List;

/**
 * Reads the PATH arguments of {@code lint} and {@code harden}; anything unreadable is bad input
 * (exit 2).
 */
final class ManifestArguments {
  private ManifestArguments() {}

  static List<ManifestFile> read(List<String> paths, InputStream stdin) {
    if (paths == null || paths.isEmpty()) {
      throw new BadInputException(
          "give at least one PATH: a file, a directory, or - for standard input");
    }
    if (paths.stream().filter("-"::equals).count() > 1) {
      throw new BadInputException("'-' (standard input) can be given only once");
    }
    List<ManifestSource> sources;
    try {
      sources = ManifestInputs.expand(paths);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    if (sources.isEmpty()) {
      throw new BadInputException(
          "no *.yaml, *.yml or *.json files under " + String.join(", ", paths));
    }
    try {
      return sources.stream().map(s -> ManifestInputs.read(s, stdin)).toList();
    } catch (MalformedManifestException e) {
      throw new BadInputException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }
}
