package io.saferollout.manifest;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where manifest text came from: a file, or standard input.
 *
 * @param name how reports name it (the path as the user gave it, or {@code <stdin>})
 * @param path the file, or null for standard input
 */
public record ManifestSource(String name, Path path) {
  public static final String STDIN_NAME = "<stdin>";

  public ManifestSource {
    Objects.requireNonNull(name, "name");
  }

  public static ManifestSource stdin() {
    return new ManifestSource(STDIN_NAME, null);
  }

  public static ManifestSource file(Path path) {
    return new ManifestSource(path.toString(), path);
  }

  public boolean isStdin() {
    return path == null;
  }

  /** JSON files are written back as JSON by {@code harden}; everything else is YAML. */
  public boolean isJson() {
    return name.toLowerCase(java.util.Locale.ROOT).endsWith(".json");
  }
}
